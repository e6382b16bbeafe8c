package ai.candlefish.collab.benchmarks.load;

import ai.candlefish.collab.awareness.Awareness;
import ai.candlefish.collab.core.Doc;
import java.net.URI;
import java.util.List;

/**
 * Several protocols at once on the same documents, as a server that speaks them all on one port sees them: client
 * {@code i} speaks {@code protocols[(i / documents) % protocols.size()]} ({@link #forClient}), so that every document
 * with at least as many clients as protocols has clients of each, and every update crosses from one protocol to the
 * others. Its name joins the protocols' names with {@code +}; it acknowledges updates if any of them does (each
 * client's acknowledgements are counted by its own protocol). Not a protocol a connection can speak: a connection
 * asks {@link #forClient} for its own. Immutable.
 */
final class MixedLoadProtocol implements LoadProtocol {
  private final List<LoadProtocol> protocols;

  /**
   * @throws IllegalArgumentException if fewer than two protocols are given, or one is itself mixed or twice there
   */
  MixedLoadProtocol(List<LoadProtocol> protocols) {
    this.protocols = List.copyOf(protocols);
    if (this.protocols.size() < 2 || this.protocols.stream().anyMatch(p -> p instanceof MixedLoadProtocol)
        || this.protocols.stream().distinct().count() != this.protocols.size()) {
      throw new IllegalArgumentException("a mix needs two or more different protocols but got " + protocols);
    }
  }

  @Override
  public String name() {
    return String.join("+", protocols.stream().map(LoadProtocol::name).toList());
  }

  @Override
  public boolean acknowledges() {
    return protocols.stream().anyMatch(LoadProtocol::acknowledges);
  }

  @Override
  public LoadProtocol forClient(int client, int documents) {
    return protocols.get(Math.floorMod(client / documents, protocols.size()));
  }

  @Override
  public URI uri(URI server, String document) {
    throw new UnsupportedOperationException("a mix has no URI of its own: ask forClient for a client's protocol");
  }

  @Override
  public Conversation newConversation(String document, Doc doc, Awareness awareness, Sender out,
      Listener listener) {
    throw new UnsupportedOperationException("a mix has no conversation of its own: ask forClient for a client's"
        + " protocol");
  }
}
