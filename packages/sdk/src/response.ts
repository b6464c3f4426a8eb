/** A response as the transport read it, and reading its headers. */

/** A response as the transport read it (success or not). */
export interface ResponseInfo {
  status: number;
  method: string;
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** True when the body was cut at the transport's cap. */
  truncated: boolean;
  /** The clock reading when the response arrived, for `Retry-After` HTTP dates. */
  receivedAt: number;
}

/** The first value of a header, if any. */
export function headerValue(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
