package ai.candlefish.collab.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link DocumentStore} holds for one document: Yjs v1 updates that, applied to an empty document in any
 * order, give the stored state. Typically a compacted state followed by the updates appended since.
 *
 * <p>Immutable: the arrays are copied in and out.
 */
public final class StoredDocument {
  private static final StoredDocument EMPTY = new StoredDocument(List.of());

  private final List<byte[]> updates;
  private final long byteSize;

  private StoredDocument(List<byte[]> updates) {
    this.updates = updates;
    long size = 0;
    for (byte[] u : updates) {
      size += u.length;
    }
    this.byteSize = size;
  }

  /** A document that was never stored (or was deleted). */
  public static StoredDocument empty() {
    return EMPTY;
  }

  /**
   * The stored updates, in the order they were stored.
   *
   * @throws NullPointerException if the list or one of its updates is null
   */
  public static StoredDocument of(List<byte[]> updates) {
    Objects.requireNonNull(updates, "updates");
    if (updates.isEmpty()) {
      return EMPTY;
    }
    List<byte[]> copy = new ArrayList<>(updates.size());
    for (int i = 0; i < updates.size(); i++) {
      copy.add(Objects.requireNonNull(updates.get(i), () -> "updates contains null").clone());
    }
    return new StoredDocument(Collections.unmodifiableList(copy));
  }

  /** Whether nothing is stored. */
  public boolean isEmpty() {
    return updates.isEmpty();
  }

  /** How many updates are stored. */
  public int updateCount() {
    return updates.size();
  }

  /** The total size of the stored updates, in bytes. */
  public long byteSize() {
    return byteSize;
  }

  /** The stored updates (copies), in the order they were stored. */
  public List<byte[]> updates() {
    List<byte[]> out = new ArrayList<>(updates.size());
    for (byte[] u : updates) {
      out.add(u.clone());
    }
    return out;
  }

  @Override
  public String toString() {
    return "StoredDocument[" + updates.size() + " updates, " + byteSize + " bytes]";
  }
}
