package ai.candlefish.collab.testkit;

import ai.candlefish.collab.spi.DocumentKey;
import java.util.List;

/**
 * Document keys built to collide: each group is one document to a careless key (tenant and name joined with a
 * separator, a column or key limit that truncates, case folded, Unicode normalised, trailing spaces trimmed, a path
 * decoded twice) and distinct documents to {@link DocumentKey}. A store, a cluster transport or a server that keys
 * documents must keep every one of them apart.
 */
public final class CollidingKeys {
  private CollidingKeys() {}

  /** Every key, each distinct from the others; the same principal id may be used in every tenant. */
  public static final List<DocumentKey> ALL = List.of(
      // A separator inside the tenant or the name: "a" + "/" + "b/c" is "a/b" + "/" + "c".
      DocumentKey.of("a", "b/c"), DocumentKey.of("a/b", "c"),
      DocumentKey.of("a", "b:c"), DocumentKey.of("a:b", "c"),
      // A tenant that looks like a length prefix ("<length>:<tenant>/<name>" is collab-redis's key).
      DocumentKey.of("a", "b"), DocumentKey.of("1:a", "b"), DocumentKey.of("1", "a/b"),
      // Case.
      DocumentKey.of("acme", "Doc"), DocumentKey.of("ACME", "Doc"), DocumentKey.of("acme", "doc"),
      // Unicode normalisation: "é" precomposed (NFC) and decomposed (NFD).
      DocumentKey.of("caf\u00e9", "\u00e9t\u00e9"), DocumentKey.of("cafe\u0301", "\u00e9t\u00e9"),
      DocumentKey.of("caf\u00e9", "e\u0301te\u0301"),
      // Trailing spaces (SQL's CHAR pads them, some comparisons ignore them).
      DocumentKey.of("t", "x"), DocumentKey.of("t ", "x"), DocumentKey.of("t", "x "),
      // A percent sign: "50%25" decoded once more is "50%".
      DocumentKey.of("t", "50%"), DocumentKey.of("t", "50%25"),
      // At the longest, differing only in the last character: a limit in bytes (3 bytes of UTF-8 a character, 4 for
      // the emoji's surrogate pair) that truncated would join them.
      DocumentKey.of("\u00fc".repeat(DocumentKey.MAX_TENANT_LENGTH - 1) + "a", "n"),
      DocumentKey.of("\u00fc".repeat(DocumentKey.MAX_TENANT_LENGTH - 1) + "b", "n"),
      DocumentKey.of("t", "\u6587".repeat(DocumentKey.MAX_NAME_LENGTH - 1) + "x"),
      DocumentKey.of("t", "\u6587".repeat(DocumentKey.MAX_NAME_LENGTH - 1) + "y"),
      DocumentKey.of("t", "\ud83d\ude00".repeat(DocumentKey.MAX_NAME_LENGTH / 2 - 1) + "\ud83d\ude01"),
      DocumentKey.of("t", "\ud83d\ude00".repeat(DocumentKey.MAX_NAME_LENGTH / 2 - 1) + "\ud83d\ude02"));
}
