package ai.candlefish.collab.core.internal.text;

/**
 * Values that come from outside (document names, principal ids, a peer's close reason, an authenticator's message)
 * made safe for one log line: a hostile value must not start a line of its own (CR, LF, NEL, U+2028), colour or
 * clear a terminal (ESC), reorder what a reader sees (bidirectional overrides) or fill the log (a 16 MiB reason).
 *
 * <p>Escaped as {@code \\uXXXX} (each UTF-16 unit): control characters (category Cc, {@link Character#isISOControl}),
 * format characters (Cf: bidirectional marks and overrides, zero-width characters, the invisible tag characters
 * beyond U+FFFF), line and paragraph separators, lone surrogates; and the backslash itself (as {@code \\\\}), so
 * that an escape in the input cannot pass for one of ours. A value longer than {@link #MAX_CHARS} is cut there,
 * with how many characters were left out. Stateless and thread-safe.
 */
public final class LogText {
  /** The longest value written whole, in UTF-16 code units: a document name's maximum, so every name is whole. */
  public static final int MAX_CHARS = 1024;

  private LogText() {}

  /** {@code s} safe for a log line, as described above; {@code "null"} for null. */
  public static String safe(String s) {
    return s == null ? "null" : escape(s, false);
  }

  /**
   * {@code s} safe for a log line and in double quotes (a double quote inside is escaped as {@code \"}), so that
   * {@code key=value} lines stay parseable; {@code -} for null.
   */
  public static String quoted(String s) {
    return s == null ? "-" : '"' + escape(s, true) + '"';
  }

  private static String escape(String s, boolean quotes) {
    int length = Math.min(s.length(), MAX_CHARS);
    if (length < s.length() && Character.isHighSurrogate(s.charAt(length - 1))
        && Character.isLowSurrogate(s.charAt(length))) {
      length--; // not half a pair at the cut
    }
    StringBuilder out = null;
    for (int i = 0; i < length; ) {
      int c = s.codePointAt(i);
      int width = Character.charCount(c);
      if (!unsafe(c, quotes)) {
        if (out != null) {
          out.appendCodePoint(c);
        }
      } else {
        if (out == null) {
          out = new StringBuilder(length + 16).append(s, 0, i);
        }
        if (c == '\\' || c == '"') {
          out.append('\\').append((char) c);
        } else {
          for (int k = i; k < i + width; k++) {
            out.append(String.format("\\u%04x", (int) s.charAt(k)));
          }
        }
      }
      i += width;
    }
    if (length < s.length()) {
      if (out == null) {
        out = new StringBuilder(length + 40).append(s, 0, length);
      }
      out.append("...(").append(s.length() - length).append(" more characters)");
    }
    return out == null ? s : out.toString();
  }

  /**
   * Whether code point {@code c} is escaped: a lone surrogate ({@link String#codePointAt} returns it as such), a
   * control, format or separator character, a backslash, or a double quote inside quotes.
   */
  private static boolean unsafe(int c, boolean quotes) {
    if (c == '\\' || (c == '"' && quotes)) {
      return true;
    }
    int type = Character.getType(c);
    return type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
        || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
  }
}
