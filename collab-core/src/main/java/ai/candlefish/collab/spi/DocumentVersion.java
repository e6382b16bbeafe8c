package ai.candlefish.collab.spi;

import java.util.Objects;

/**
 * A saved version of a document with what is needed to rebuild it: the Yjs snapshot (Yjs {@code encodeSnapshot}:
 * which insertions and deletions it includes) and the document's whole state at that moment (a Yjs v1 update).
 * With the state, a version can be opened, compared and restored even after the live document has garbage
 * collected what was deleted since; the price is one copy of the document's state per version.
 *
 * <p>Immutable: the arrays are copied in and out.
 */
public final class DocumentVersion {
  private final VersionInfo info;
  private final byte[] snapshot;
  private final byte[] state;

  private DocumentVersion(VersionInfo info, byte[] snapshot, byte[] state) {
    this.info = info;
    this.snapshot = snapshot;
    this.state = state;
  }

  /** @throws NullPointerException if an argument is null */
  public static DocumentVersion of(VersionInfo info, byte[] snapshot, byte[] state) {
    return new DocumentVersion(Objects.requireNonNull(info, "info"),
        Objects.requireNonNull(snapshot, "snapshot").clone(), Objects.requireNonNull(state, "state").clone());
  }

  /** Id, label, author and time. */
  public VersionInfo info() {
    return info;
  }

  /** The encoded Yjs snapshot (format v1). */
  public byte[] snapshot() {
    return snapshot.clone();
  }

  /** The document's state when the version was saved (a Yjs v1 update). */
  public byte[] state() {
    return state.clone();
  }

  @Override
  public String toString() {
    return "DocumentVersion" + info + "[" + state.length + " bytes]";
  }
}
