// Azure OpenAI wire types beyond OpenAI's own (the chat body, response and stream are
// OpenAI Chat Completions). https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference

/** `{error: {code, message, innererror?}}`; code is a string (`DeploymentNotFound`, `content_filter`, `429`, `401`). */
export interface ErrorBody {
  error?: {
    code?: string | number;
    message?: string;
    param?: string | null;
    type?: string | null;
    status?: number;
    innererror?: { code?: string; content_filter_result?: Record<string, unknown> };
  };
}

/** `GET /openai/v1/models`: the models the resource can deploy (not the deployments). */
export interface ModelList {
  object?: 'list';
  data?: Array<{ id?: string; status?: string; capabilities?: Record<string, boolean> }>;
}
