package ai.candlefish.collab.spi;

import ai.candlefish.collab.core.internal.text.LogText;
import java.util.Objects;

/**
 * Names one document: a tenant and a document name within that tenant.
 *
 * <p>A server builds the key from the authenticated principal's tenant and the name the client asked for, so a
 * client can only ever name documents of its own tenant: guessing another tenant's document name leads to a
 * different document, never to theirs. Stores must keep documents of different tenants apart (the key, not the
 * name alone, identifies a document).
 *
 * <p>The character set: a tenant is 1 to {@value #MAX_TENANT_LENGTH} UTF-16 code units, a name 1 to
 * {@value #MAX_NAME_LENGTH}; both may hold any Unicode character except control characters
 * ({@link Character#isISOControl}: U+0000-U+001F, U+007F-U+009F), and must be well-formed UTF-16 (no lone
 * surrogate: UTF-8, which every wire protocol, PostgreSQL and Redis use, cannot hold one, and Java writes {@code '?'}
 * for it, so {@code "a\\uD800"} would be stored as document {@code "a?"}). Everything else is allowed and
 * significant: slashes, dots ({@code ".."} too), spaces, percent signs, question marks, emoji. Names are compared
 * exactly, as Java strings: no case folding, no Unicode normalization ({@code "é"} precomposed and decomposed are two
 * documents), no trimming. A y-websocket client's name is its URL path after the server's prefix, percent-decoded;
 * Hocuspocus and collab/1 clients send it in a message. A store must treat names as opaque data: never as a file
 * path, a SQL fragment or a key pattern without escaping them. Immutable.
 *
 * @param tenant the tenant that owns the document
 * @param name the document's name within the tenant
 */
public record DocumentKey(String tenant, String name) {
  /** The longest tenant id, in UTF-16 code units. */
  public static final int MAX_TENANT_LENGTH = 256;
  /** The longest document name, in UTF-16 code units. */
  public static final int MAX_NAME_LENGTH = 1024;

  /**
   * @throws NullPointerException if either part is null
   * @throws IllegalArgumentException if either part is empty, too long, contains control characters or a lone
   *     surrogate
   */
  public DocumentKey {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(name, "name");
    String problem = problem(tenant, MAX_TENANT_LENGTH);
    if (problem != null) {
      throw new IllegalArgumentException("tenant " + problem);
    }
    problem = problem(name, MAX_NAME_LENGTH);
    if (problem != null) {
      throw new IllegalArgumentException("document name " + problem);
    }
  }

  /**
   * The key of document {@code name} of {@code tenant}.
   *
   * @throws NullPointerException if either part is null
   * @throws IllegalArgumentException if either part is empty, too long, contains control characters or a lone
   *     surrogate
   */
  public static DocumentKey of(String tenant, String name) {
    return new DocumentKey(tenant, name);
  }

  /** Whether {@code name} is acceptable as a document name (a server checks names from clients with this). */
  public static boolean isValidName(String name) {
    return name != null && problem(name, MAX_NAME_LENGTH) == null;
  }

  private static String problem(String s, int maxLength) {
    if (s.isEmpty()) {
      return "must not be empty";
    }
    if (s.length() > maxLength) {
      return "must be at most " + maxLength + " characters but has " + s.length();
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c)) {
        return "must not contain control characters (found U+" + String.format("%04X", (int) c) + " at index " + i
            + ")";
      }
    }
    return loneSurrogate(s);
  }

  /**
   * Why {@code s} cannot be written as UTF-8, or null if it can: a lone surrogate has no UTF-8 form, and Java writes
   * {@code '?'} for it, so two different strings would be stored as one.
   */
  static String loneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++; // a pair: one character beyond U+FFFF
        } else {
          return "must not contain a lone surrogate (found U+" + String.format("%04X", (int) c) + " at index " + i
              + "): it has no UTF-8 form, and stores would keep it as '?'";
        }
      }
    }
    return null;
  }

  /**
   * {@code tenant/name}, for logs and messages: format characters (a bidirectional override that shows a name
   * backwards, zero-width characters) and line separators are escaped as {@code \\uXXXX}.
   */
  @Override
  public String toString() {
    return LogText.safe(tenant) + "/" + LogText.safe(name);
  }
}
