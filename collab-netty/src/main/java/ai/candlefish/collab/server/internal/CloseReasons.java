package ai.candlefish.collab.server.internal;

/**
 * Close reasons that fit in a close frame. RFC 6455 allows a control frame 125 bytes of payload: the code's two and
 * at most 123 of UTF-8 reason. Reasons built from settings, a host's {@code AuthenticationException} message or a
 * decoder's message can be longer, and a close frame over 125 bytes is a protocol violation that a browser answers by
 * failing the connection (1006 instead of our code). Stateless.
 */
public final class CloseReasons {
  /** The most bytes of UTF-8 a close frame's reason may have. */
  public static final int MAX_BYTES = 123;

  private CloseReasons() {}

  /**
   * {@code reason}, cut to at most {@link #MAX_BYTES} bytes of UTF-8 between two code points: a character of two to
   * four bytes, or a surrogate pair, is kept whole or left out (a pair cut in two went out as {@code ?}). A lone
   * surrogate becomes {@code ?}, as Java's encoder writes it: Netty's writes {@code ?} and then the next character
   * as one byte, which is not UTF-8 when that character is not ASCII (the client fails the connection, 1007).
   */
  public static String fit(String reason) {
    StringBuilder fit = null;
    int bytes = 0;
    for (int i = 0; i < reason.length(); ) {
      int cp = reason.codePointAt(i);
      boolean lone = Character.isSurrogate((char) cp) && cp < 0x10000;
      int size = cp < 0x80 || lone ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + size > MAX_BYTES) {
        return fit == null ? reason.substring(0, i) : fit.toString();
      }
      if (lone && fit == null) {
        fit = new StringBuilder(reason.length()).append(reason, 0, i);
      }
      if (fit != null) {
        fit.appendCodePoint(lone ? '?' : cp);
      }
      bytes += size;
      i += Character.charCount(cp);
    }
    return fit == null ? reason : fit.toString();
  }
}
