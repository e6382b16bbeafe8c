package ai.candlefish.collab.server.internal;

import java.util.concurrent.Executor;

/**
 * A session whose client addresses its document by another name than the document's own: a Hocuspocus provider with
 * {@code sessionAwareness: true} sends {@code name\0session}, so that several providers of one document can share a
 * socket, and expects every answer at that address. Documents write their own name into what they send; this peer
 * writes the address instead, and so encodes a relayed update for itself rather than sharing the frame of the other
 * receivers (only these sessions pay for it).
 *
 * <p>Thread-safe as its connection is.
 */
final class AddressedPeer implements Peer {
  private final Connection connection;
  private final String address;

  AddressedPeer(Connection connection, String address) {
    this.connection = connection;
    this.address = address;
  }

  @Override
  public void send(ServerMessage message) {
    connection.send(message.withDocument(address));
  }

  @Override
  public void send(SharedFrames shared) {
    send(shared.message());
  }

  @Override
  public Executor sendExecutor() {
    return connection.sendExecutor();
  }

  @Override
  public void sendInitial(ServerMessage message) {
    connection.sendInitial(message.withDocument(address));
  }

  @Override
  public void refuse(DocumentSession session, int code, String reason) {
    connection.refuse(session, code, reason);
  }

  @Override
  public void close(int code, String reason) {
    connection.close(code, reason);
  }
}
