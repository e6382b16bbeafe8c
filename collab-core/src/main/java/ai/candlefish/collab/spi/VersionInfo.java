package ai.candlefish.collab.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * A saved version of a document, without its content: what a list of versions shows.
 *
 * @param id the store's id of the version, unique within the document and increasing with each version saved
 * @param label what the person who saved it called it ("sent to the customer")
 * @param author who saved it (a user id or name, as the host identifies users)
 * @param createdAt when it was saved
 */
public record VersionInfo(long id, String label, String author, Instant createdAt) {
  /** Longest label and author a store must keep (in UTF-16 units). */
  public static final int MAX_TEXT_LENGTH = 200;

  /**
   * @throws NullPointerException if a component is null
   * @throws IllegalArgumentException if the label or the author is longer than {@value #MAX_TEXT_LENGTH}
   */
  public VersionInfo {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(author, "author");
    Objects.requireNonNull(createdAt, "createdAt");
    if (label.length() > MAX_TEXT_LENGTH || author.length() > MAX_TEXT_LENGTH) {
      throw new IllegalArgumentException("a version's label and author may have at most " + MAX_TEXT_LENGTH
          + " characters; shorten them (label has " + label.length() + ", author " + author.length() + ")");
    }
  }
}
