package ai.candlefish.collab.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One operation of a change description (Quill's delta format, as Yjs uses it): insert content, delete a number
 * of units, or retain (skip) a number of units, optionally with formatting attributes.
 *
 * <p>For text, {@code insert} is a {@code String}, an embed (a JSON-like value) or a nested type; for arrays it is
 * a {@code List} of values. An operation is an insert if {@code insert != null}, a delete if {@code delete > 0}, and
 * a retain otherwise. An embed that is JSON {@code null} (Yjs's {@code {insert: null}}) is inserted as
 * {@link #NULL_EMBED}. A retain of 0 units is one, as in Yjs: applied with attributes it still writes format marks
 * where it stands, and it moves the position past deleted text and redundant marks.
 *
 * @param insert inserted content, or null
 * @param delete number of deleted units, or 0
 * @param retain number of retained units, or 0
 * @param attributes formatting of an insert or changed formatting of a retain ({@code null} value: removed), or null
 */
public record Delta(@Nullable Object insert, int delete, int retain,
    @Nullable Map<String, @Nullable Object> attributes) {

  /**
   * The {@link #insert()} of an embed that is JSON {@code null}, where Yjs's delta has {@code {insert: null}}. Yjs
   * itself cannot insert one ({@code insertEmbed(i, null)} and {@code applyDelta} fail with a TypeError, as ours
   * refuse it), but an update from elsewhere can hold one; {@link YText#toDelta()} and text events hand it out so
   * that positions still count it. Its {@code toString()} is {@code "null"}.
   */
  public static final Object NULL_EMBED = NullEmbed.INSTANCE;

  private enum NullEmbed {
    INSTANCE;

    @Override
    public String toString() {
      return "null";
    }
  }

  /** An insert without attributes. */
  public static Delta insert(Object content) {
    return new Delta(Objects.requireNonNull(content, "content"), 0, 0, null);
  }

  /** An insert with formatting attributes. */
  public static Delta insert(Object content, @Nullable Map<String, @Nullable Object> attributes) {
    return new Delta(Objects.requireNonNull(content, "content"), 0, 0, copy(attributes));
  }

  /**
   * A deletion of {@code length} units.
   *
   * <p>Yjs's {@code applyDelta} also takes {@code {delete: 0}} (and negative deletes and retains), which is no no-op
   * there: it removes the format marks made redundant at its position. This record tells a delete from a retain by
   * {@code delete > 0}, so it cannot hold one; a zero retain ({@link #retain(int)}) is the nearest, and a text's
   * {@link YText#cleanupFormatting()} removes every redundant mark.
   *
   * @throws IllegalArgumentException if not positive
   */
  public static Delta delete(int length) {
    if (length <= 0) {
      throw new IllegalArgumentException("delete length must be positive but was " + length);
    }
    return new Delta(null, length, 0, null);
  }

  /** {@code length} unchanged units (0 is allowed, as in Yjs). @throws IllegalArgumentException if negative */
  public static Delta retain(int length) {
    return retain(length, null);
  }

  /**
   * {@code length} units whose formatting changes to {@code attributes} (0 is allowed, as in Yjs).
   *
   * @throws IllegalArgumentException if {@code length} is negative
   */
  public static Delta retain(int length, @Nullable Map<String, @Nullable Object> attributes) {
    if (length < 0) {
      throw new IllegalArgumentException("retain length must not be negative but was " + length);
    }
    return new Delta(null, 0, length, copy(attributes));
  }

  private static @Nullable Map<String, @Nullable Object> copy(@Nullable Map<String, @Nullable Object> attributes) {
    if (attributes == null || attributes.isEmpty()) {
      return null;
    }
    return Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
  }

  public boolean isInsert() {
    return insert != null;
  }

  public boolean isDelete() {
    return delete > 0;
  }

  public boolean isRetain() {
    return insert == null && delete <= 0;
  }

  @Override
  public String toString() {
    String attrs = attributes == null ? "" : ", attributes=" + attributes;
    if (insert != null) {
      return "{insert=" + insert + attrs + "}";
    }
    if (delete > 0) {
      return "{delete=" + delete + "}";
    }
    return "{retain=" + retain + attrs + "}";
  }
}
