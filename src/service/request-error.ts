/**
 * An error a request caused, with the HTTP status it maps to and a stable code; the HTTP layer
 * answers it as {"error": {"code", "message"}}. Library ZkErrors (a bad input, say) map to 400
 * in http.ts; anything else is a 500 and a bug.
 */
export class RequestError extends Error {
  override readonly name = "RequestError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}
