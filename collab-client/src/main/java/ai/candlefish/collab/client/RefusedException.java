package ai.candlefish.collab.client;

import ai.candlefish.collab.core.internal.text.LogText;

/**
 * The server refused something and applied nothing of it: the token, a document, or an update (for instance because
 * the principal may only read the document). {@link #code()} says why, with the codes of
 * {@code ai.candlefish.collab.server.CloseCodes} (4401 unauthorized, 4403 forbidden, 4503 unavailable).
 */
public final class RefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String document;
  private final int code;

  /**
   * @param document the document refused, or "" for the connection's token
   * @param code why, as a close code
   * @param reason the server's words
   */
  public RefusedException(String document, int code, String reason) {
    // The reason is the server's (a hostile one may send line breaks, terminal escapes, megabytes): the message is
    // logged (by this client, and by applications), so it is escaped and cut. Listeners get the reason as it came.
    super((document.isEmpty() ? "the server refused the connection" : "the server refused document '"
        + LogText.safe(document) + "'") + " (" + code + "): " + LogText.safe(reason));
    this.document = document;
    this.code = code;
  }

  /** The document the refusal is about, or "" for the connection. */
  public String document() {
    return document;
  }

  /** The reason as a close code (4401, 4403, 4503, ...). */
  public int code() {
    return code;
  }
}
