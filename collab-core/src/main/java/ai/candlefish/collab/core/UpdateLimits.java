package ai.candlefish.collab.core;

/**
 * The shape an update from an untrusted peer may give a document, checked by
 * {@link Doc#applyUpdate(byte[], Object, UpdateLimits)} after decoding and before anything is integrated: an update
 * that would break a limit is refused whole ({@link LimitExceededException}) and changes nothing. Immutable and
 * thread-safe.
 *
 * <p>The defaults are far beyond what editors produce (ProseMirror, TipTap, Lexical and BlockNote documents nest a
 * few dozen levels) and well below what lets one peer stall or exhaust a server:
 * <ul>
 *   <li>{@link Builder#maxDepth nesting depth} of shared types: {@value #DEFAULT_MAX_DEPTH} levels (Yjs accepts any
 *       depth; 30,000 nested maps fit in a 306 KiB update);
 *   <li>{@link Builder#maxDocumentBytes document size}: {@value #DEFAULT_MAX_DOCUMENT_BYTES} bytes (128 MiB) of
 *       memory held by a document's content, by an estimate from above (within 1.3 times of what it holds, for
 *       every kind of content measured). What the document holds counts, not the updates that passed through it: a
 *       document that stays open for days while values are overwritten and text typed and deleted keeps its room,
 *       as what was overwritten or deleted is collected and keystrokes merge. Memory rather than bytes on the wire:
 *       a few bytes may hold much more (a subdocument reference of a dozen bytes holds ~1.3 KB, an empty map in an
 *       array ~90 bytes for its 2; one 16 MiB update of subdocuments would hold ~1.4 GB);
 *   <li>{@link Builder#maxPendingBytes pending bytes}: {@value #DEFAULT_MAX_PENDING_BYTES} bytes (1 MiB) of memory
 *       held by received structs and deletions that wait for updates not received yet ({@link Doc#pendingBytes()},
 *       which weighs each waiting struct at about 100 bytes besides its encoded size). What an update leaves
 *       waiting is known only while it is integrated: the part that would go beyond this limit is dropped, the rest
 *       integrated, and {@code applyUpdate} returns false (a server closes the sender without acknowledging).
 * </ul>
 *
 * <p>Limits are for updates from outside. Loading stored updates, and a host's own edits, are not limited: a limit
 * lowered later must not make a stored document unreadable.
 */
public final class UpdateLimits {
  /** Default {@link Builder#maxDepth}. */
  public static final int DEFAULT_MAX_DEPTH = 1000;
  /** Default {@link Builder#maxDocumentBytes}: 128 MiB. */
  public static final long DEFAULT_MAX_DOCUMENT_BYTES = 128L * 1024 * 1024;
  /** Default {@link Builder#maxPendingBytes}: 1 MiB. */
  public static final long DEFAULT_MAX_PENDING_BYTES = 1024 * 1024;

  /** The default limits. */
  public static final UpdateLimits DEFAULTS = newBuilder().build();
  /** No limits: what {@link Doc#applyUpdate(byte[], Object)} applies (for trusted input only). */
  public static final UpdateLimits NONE =
      newBuilder().maxDepth(Integer.MAX_VALUE).maxDocumentBytes(Long.MAX_VALUE).maxPendingBytes(Long.MAX_VALUE).build();

  private final int maxDepth;
  private final long maxDocumentBytes;
  private final long maxPendingBytes;

  private UpdateLimits(Builder b) {
    this.maxDepth = b.maxDepth;
    this.maxDocumentBytes = b.maxDocumentBytes;
    this.maxPendingBytes = b.maxPendingBytes;
  }

  /** A builder starting from the defaults. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** A builder starting from these limits. */
  public Builder toBuilder() {
    return new Builder().maxDepth(maxDepth).maxDocumentBytes(maxDocumentBytes).maxPendingBytes(maxPendingBytes);
  }

  /** The deepest nesting of shared types allowed (a root is at depth 0, a type in a root at 1). */
  public int maxDepth() {
    return maxDepth;
  }

  /** The most bytes of memory a document's content may hold, by an estimate from above. */
  public long maxDocumentBytes() {
    return maxDocumentBytes;
  }

  /** The most bytes a document may hold waiting for missing updates ({@link Doc#pendingBytes()}). */
  public long maxPendingBytes() {
    return maxPendingBytes;
  }

  @Override
  public String toString() {
    return "UpdateLimits[maxDepth=" + maxDepth + ", maxDocumentBytes=" + maxDocumentBytes + ", maxPendingBytes="
        + maxPendingBytes + "]";
  }

  /** Builds {@link UpdateLimits}; every setter checks its value. Not thread-safe. */
  public static final class Builder {
    private int maxDepth = DEFAULT_MAX_DEPTH;
    private long maxDocumentBytes = DEFAULT_MAX_DOCUMENT_BYTES;
    private long maxPendingBytes = DEFAULT_MAX_PENDING_BYTES;

    private Builder() {}

    /**
     * The deepest nesting of shared types an update may create; default {@value UpdateLimits#DEFAULT_MAX_DEPTH}.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxDepth(int depth) {
      if (depth < 1) {
        throw new IllegalArgumentException("maxDepth must be at least 1 but was " + depth);
      }
      this.maxDepth = depth;
      return this;
    }

    /**
     * The most bytes of memory a document's content may hold, by an estimate from above; default 128 MiB. What the
     * document holds counts, not the bytes of the updates it received.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxDocumentBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxDocumentBytes must be at least 1 but was " + bytes);
      }
      this.maxDocumentBytes = bytes;
      return this;
    }

    /**
     * The most bytes of memory a document may hold waiting for updates it has not received
     * ({@link Doc#pendingBytes()}); default 1 MiB (about 10,000 waiting structs). 0 keeps nothing of an update that
     * cannot be integrated at once.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder maxPendingBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("maxPendingBytes must be at least 0 but was " + bytes);
      }
      this.maxPendingBytes = bytes;
      return this;
    }

    public UpdateLimits build() {
      return new UpdateLimits(this);
    }
  }
}
