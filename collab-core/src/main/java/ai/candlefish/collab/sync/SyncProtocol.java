package ai.candlefish.collab.sync;

import ai.candlefish.collab.core.DecodingException;
import ai.candlefish.collab.core.Doc;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The y-protocols sync handshake for one document. A peer that connects sends {@link #step1(Doc)}; each side
 * answers a {@link SyncMessage.SyncStep1} with a {@link SyncMessage.SyncStep2} ({@link #handle}); afterwards
 * both send {@link SyncMessage.Update}s as their documents change.
 *
 * <pre>{@code
 * send(SyncProtocol.step1(doc).encode());
 * SyncMessage reply = SyncProtocol.handle(doc, SyncMessage.decode(received), connection);
 * if (reply != null) send(reply.encode());
 * }</pre>
 *
 * <p>Stateless; the document must be used from one thread at a time.
 */
public final class SyncProtocol {
  private SyncProtocol() {}

  /** Step 1: this document's state vector. */
  public static SyncMessage.SyncStep1 step1(Doc doc) {
    return new SyncMessage.SyncStep1(doc.encodeStateVector());
  }

  /**
   * Step 2: what a peer with the given encoded state vector lacks.
   *
   * @throws DecodingException if the state vector is malformed
   */
  public static SyncMessage.SyncStep2 step2(Doc doc, byte[] remoteStateVector) {
    return new SyncMessage.SyncStep2(doc.encodeStateAsUpdate(remoteStateVector));
  }

  /** An update message carrying {@code update}. */
  public static SyncMessage.Update update(byte[] update) {
    return new SyncMessage.Update(update);
  }

  /**
   * Handles a received message: answers a step 1 with a step 2 (returned), applies a step 2 or an update to the
   * document with the given origin (returns null).
   *
   * @throws DecodingException if the state vector or update is malformed; the document is unchanged
   */
  public static @Nullable SyncMessage handle(Doc doc, SyncMessage message, @Nullable Object origin) {
    Objects.requireNonNull(doc, "doc");
    Objects.requireNonNull(message, "message");
    if (message instanceof SyncMessage.SyncStep1 s1) {
      return new SyncMessage.SyncStep2(doc.encodeStateAsUpdate(s1.raw()));
    }
    doc.applyUpdate(message.raw(), origin);
    return null;
  }
}
