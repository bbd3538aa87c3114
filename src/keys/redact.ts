// Scrubbing of text that may echo a credential back (provider error messages often
// quote the key they rejected, masked or not). Pino redaction covers known paths;
// this covers free text.

const KEY_LIKE = [
  /\bsk-[A-Za-z0-9_\-*.]{8,}/g, // OpenAI, Anthropic (sk-ant-), DeepSeek, Moonshot, OpenRouter (sk-or-)
  /\bAIza[0-9A-Za-z_\-]{20,}/g, // Google API keys
  /\b(?:AKIA|ASIA)[0-9A-Z]{12,}/g, // AWS access key ids
  /\bhf_[A-Za-z0-9]{10,}/g, // Hugging Face tokens
  /\bgsk_[A-Za-z0-9]{10,}/g, // Groq
  /\bxai-[A-Za-z0-9]{10,}/g, // xAI
  /\b(?:Bearer|bearer)\s+[A-Za-z0-9._\-~+/=]{8,}/g,
  /\b[A-Za-z0-9]{32}\.[A-Za-z0-9]{16}\b/g, // Z.ai / BigModel id.secret keys
];

export function redactKeyLike(text: string, known: Iterable<string> = []): string {
  let out = text;
  for (const value of known) {
    if (value && value.length >= 4) out = out.split(value).join('[REDACTED]');
  }
  for (const pattern of KEY_LIKE) out = out.replace(pattern, '[REDACTED]');
  return out;
}

/**
 * A field name as an error message may quote it, or null. Names are echoed to help fix
 * typos ("acessKeyId"), but a key pasted where a name goes (`{"credentials": {"sk-…": …}}`)
 * must not come back in the error: long or key-like names are not quoted.
 */
export function quotableName(name: string): string | null {
  return name.length <= 24 && /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(name) && redactKeyLike(name) === name ? name : null;
}
