package ai.candlefish.collab.server.internal;

import java.util.concurrent.Executor;

/**
 * The document side's view of a client connection: where a {@link SharedDocument} sends messages, and how it
 * closes a connection that broke its protocol. Implemented by {@link Connection}; tests use fakes.
 *
 * <p>Implementations must be thread-safe: documents call from their own threads.
 */
public interface Peer {
  /**
   * Queues a message to the client. A client that does not read (more than the outbound limit unsent) is closed
   * instead.
   */
  void send(ServerMessage message);

  /**
   * Queues a message that goes to many clients, as {@link #send(ServerMessage)}: a connection writes the frame
   * {@code shared} encoded for its protocol, or encodes it first if it is the first of its protocol. Default: sends
   * {@link SharedFrames#message}.
   */
  default void send(SharedFrames shared) {
    send(shared.message());
  }

  /**
   * Where {@link #send} is cheapest: a connection's event loop. A document broadcasting a message hands each such
   * executor one task for all its peers; a send from another thread would cost a task (and a queue hand-off) per
   * peer. The same executor for the peer's whole life (documents group their peers by it once). Default: the
   * caller's thread.
   */
  default Executor sendExecutor() {
    return DIRECT;
  }

  /** Runs a send on the caller's thread. */
  Executor DIRECT = Runnable::run;

  /**
   * Queues the first full state for the client; it does not count towards the outbound limit, so a large document
   * can be sent to a client on a slow link.
   */
  void sendInitial(ServerMessage message);

  /**
   * Queues a first full state that goes to several clients, as {@link #sendInitial(ServerMessage)}: a connection
   * writes the frame {@code shared} has for its protocol. Called on the document's thread, which calls
   * {@link SharedFrames#done} after. Only for a peer that {@link #writesSharedFrames}; default: sends
   * {@link SharedFrames#message}.
   */
  default void sendInitial(SharedFrames shared) {
    sendInitial(shared.message());
  }

  /**
   * Whether {@link #sendInitial(SharedFrames)} writes the shared frame itself, so that a large state sent to many
   * joiners at once is held once. A peer that would make a copy of its own (a bridged socket: the host's sender
   * keeps its buffer; an address of its own) is sent a state encoded for it alone, one joiner after another, as
   * before: 50 copies of a 20 MB state at once would be a gigabyte. Default: false.
   */
  default boolean writesSharedFrames() {
    return false;
  }

  /**
   * Takes {@code session} out of the connection because its document cannot be served: a multi-document protocol
   * tells the client ({@link ServerMessage.Refused}) and keeps the connection, a single-document one closes it.
   */
  void refuse(DocumentSession session, int code, String reason);

  /** Closes the connection with a WebSocket close code and reason (once; later calls do nothing). */
  void close(int code, String reason);
}
