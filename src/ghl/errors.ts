/** Every failure talking to GoHighLevel. Messages name the method and path, never the token. */
export class GhlError extends Error {
  override name = 'GhlError';
  constructor(
    message: string,
    readonly status: number | null = null,
    /** What the person should do about it, when there is something to do. */
    readonly hint: string | null = null,
  ) {
    super(message);
  }
}

/** 401: the key is wrong, revoked or lacks a scope. */
export class GhlAuthError extends GhlError {
  override name = 'GhlAuthError';
}

/** 403: the key does not belong to this location. */
export class GhlForbiddenError extends GhlError {
  override name = 'GhlForbiddenError';
}

/** 429 after every retry, or the daily budget is gone. */
export class GhlRateLimitError extends GhlError {
  override name = 'GhlRateLimitError';
  constructor(
    message: string,
    hint: string,
    readonly retryAfterMs: number | null,
    readonly dailyBudgetExhausted: boolean,
  ) {
    super(message, 429, hint);
  }
}

/** A response that is not the JSON shape GHL documents. */
export class GhlResponseError extends GhlError {
  override name = 'GhlResponseError';
}

/** No answer in time, or no connection at all. */
export class GhlNetworkError extends GhlError {
  override name = 'GhlNetworkError';
}

/** The caller gave up on the request (the client cancelled its call): nothing is known about GoHighLevel. */
export class GhlCancelledError extends GhlError {
  override name = 'GhlCancelledError';
}
