// Errors in the contract's shape (OpenAI's): { error: { message, type, code, param } }.

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'api_error';

export interface ErrorBody {
  error: { message: string; type: ErrorType; code: string; param: string | null; [extra: string]: unknown };
}

function typeForStatus(status: number): ErrorType {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

/** An error the HTTP layer returns as is: status, code and a message that says what to fix. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly type: ErrorType;
  readonly param: string | null;
  readonly headers: Record<string, string>;
  readonly extra: Record<string, unknown>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { param?: string | null; type?: ErrorType; headers?: Record<string, string>; extra?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.type = options.type ?? typeForStatus(status);
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
    this.extra = options.extra ?? {};
  }

  toBody(): ErrorBody {
    return { error: { message: this.message, type: this.type, code: this.code, param: this.param, ...this.extra } };
  }
}

export function errorBody(status: number, code: string, message: string, param: string | null = null): ErrorBody {
  return { error: { message, type: typeForStatus(status), code, param } };
}

/** Deepest JSON nesting accepted in a request: far beyond any real tool schema, far below a stack overflow. */
export const MAX_JSON_DEPTH = 100;

/** Whether arrays/objects nest deeper than `max` levels (iterative, so hostile input cannot overflow the stack). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push({ node: child, depth: depth + 1 });
    }
  }
  return false;
}

const ORG_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function assertOrgId(value: unknown, param: string): string {
  if (typeof value !== 'string' || !ORG_ID.test(value)) {
    throw new ApiError(
      400,
      'invalid_org_id',
      'Org ids are 1–128 characters of letters, digits, ".", "_" or "-", starting with a letter or digit.',
      { param },
    );
  }
  return value;
}
