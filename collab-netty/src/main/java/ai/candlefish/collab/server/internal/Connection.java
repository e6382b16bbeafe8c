package ai.candlefish.collab.server.internal;

import ai.candlefish.collab.core.DecodingException;
import ai.candlefish.collab.core.internal.text.LogText;
import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.util.concurrent.Future;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection after the WebSocket upgrade, whatever its protocol: routes the client's messages to the
 * documents it has open, in order, and the documents' messages back. Its other jobs have classes of their own:
 * {@link Authentication} (who the client is), {@link ReadThrottle} (when to stop reading), {@link OutboundBudget}
 * (how much may wait for the client), {@link CloseHandshake} (how it ends); what differs between protocols is the
 * {@link SessionPolicy}.
 *
 * <p>Life: {@link #start} lets the policy begin (y-websocket authenticates the URL's token; the multi-document
 * protocols wait for {@link ClientMessage.Authenticate} messages); until the first token is accepted, messages wait
 * here, limited in count, bytes and time. Then the client's documents open ({@link ClientMessage.Open}, or an
 * accepted token for a document) and its other messages go to their document's executor; a multi-document client's
 * messages about a document whose token is still being checked wait for it (a token sent again meanwhile, as when a
 * provider closes and reopens the document at once, included), and are dropped if it is refused, up to the next
 * token for that document.
 *
 * <p>Tokens last for the whole session: each open document holds the {@link Grant} it was opened with, and when its
 * principal expires the policy ends what the grant opened (y-websocket and collab/1 close, Hocuspocus refuses the
 * document), unless the client sent a fresh token for the same principal before (collab/1: another {@code Hello};
 * Hocuspocus: another token for the open document). {@link #revoke} ends a principal's grants at once.
 *
 * <p>Threads: the state is confined to the channel's event loop, except {@link #send}, {@link #sendInitial},
 * {@link #refuse} and {@link #close}, which any thread may call.
 */
public final class Connection implements Peer {
  private static final Logger log = LoggerFactory.getLogger(Connection.class);
  /** The name of the handler that writes a socket's WebSocket frames (the server's {@code WebSocketFrameCodec}). */
  public static final String FRAME_CODEC = "websocket-frames";

  private final Channel channel;
  private final ServerRuntime runtime;
  private final ConnectionInfo info;
  private final WireProtocol protocol;
  private final CloseHandshake handshake;
  private final ReadThrottle throttle;
  private final OutboundBudget outbound;
  private final Authentication authentication;
  /**
   * Whether the connection writes whole frames ({@link BinaryFrames}) past Netty's frame encoder; false on a
   * pipeline without one (a bridged connection), which writes messages for the protocol's encoder.
   */
  private final boolean framesWritten;

  // The collections below are small, or null until needed: a server holds 10,000s of connections, most with one
  // document open and nothing held or waiting.
  /**
   * Messages read but not handled yet because the {@link ReadThrottle} said not now (reading is paused meanwhile): at
   * most what one read decoded.
   */
  private ArrayDeque<ClientMessage> held;
  /** Messages that wait for the first authentication. */
  private ArrayDeque<ClientMessage> waiting;
  /** Documents whose own token is being authenticated, with the messages about them that wait for it. */
  private Map<String, ArrayDeque<ClientMessage>> authenticatingDocuments;
  /** The open documents, each with the grant (token and principal) it was opened or last refreshed with. */
  private final OpenDocuments documents = new OpenDocuments();
  /** The connection's presence budget: awareness updates beyond it are coalesced per document. */
  private final AwarenessCoalescer<String> awareness;
  private ScheduledFuture<?> awarenessFlush;
  private boolean closed;

  public Connection(Channel channel, ServerRuntime runtime, ConnectionInfo info, WireProtocol protocol) {
    this.channel = channel;
    this.runtime = runtime;
    this.info = info;
    this.protocol = protocol;
    this.handshake = new CloseHandshake(channel);
    this.throttle = new ReadThrottle(this);
    this.outbound = new OutboundBudget(channel, config().outboundBufferLimit(), config().flushInterval());
    this.authentication = new Authentication(this);
    this.framesWritten = writesFrames(channel.pipeline());
    this.awareness = new AwarenessCoalescer<>(config().connectionAwareness, System.nanoTime());
  }

  /**
   * Whether a connection on {@code pipeline} writes whole frames ({@link BinaryFrames}) through the frame codec:
   * on a WebSocket pipeline of Netty's, not on a bridged connection (which carries frames as objects).
   */
  public static boolean writesFrames(ChannelPipeline pipeline) {
    return pipeline.get(FRAME_CODEC) != null;
  }

  public ConnectionInfo info() {
    return info;
  }

  // The connection's helpers ask it for these rather than keep them (or lambdas for them) in fields of their own.
  Channel channel() {
    return channel;
  }

  ServerRuntime runtime() {
    return runtime;
  }

  ServerConfig config() {
    return runtime.config();
  }

  /** What the connection's protocol does differently (a field of its protocol, not of each connection). */
  private SessionPolicy policy() {
    return protocol.sessionPolicy();
  }

  ServerMetrics metrics() {
    return runtime.metrics();
  }

  /** The principal the client authenticated as, or null before (read on any thread: may lag a little). */
  public Principal principal() {
    return authentication.principal();
  }

  boolean isClosing() {
    return handshake.isClosing();
  }

  // --------------------------------------------------------------------------------------------- authentication

  /**
   * Starts the connection: {@code implicit} is what connecting means (such as opening the URL's document), handled
   * once the client is authenticated; {@code token} is the URL's token, which the protocol's policy may check at
   * once. Either way the client has the authentication timeout to become authenticated.
   */
  public void start(String token, List<ClientMessage> implicit) {
    if (!implicit.isEmpty()) {
      waiting = new ArrayDeque<>(implicit);
    }
    authentication.startDeadline();
    policy().start(this, token);
  }

  /**
   * Whether the channel may still move to another event loop: nothing of the session is bound to its loop yet but the
   * authentication deadline (no document open, nothing received, held or closing). On the event loop.
   */
  public boolean canMove() {
    return documents.size() == 0 && (held == null || held.isEmpty()) && authenticatingDocuments == null && !closed
        && !handshake.isClosing() && authentication.principal() == null
        && (waiting == null || waiting.isEmpty());
  }

  /** The channel moved to another event loop (see {@link #canMove}); on the new loop. */
  public void moved() {
    authentication.moved();
  }

  /** Authenticates the connection as a whole with {@code token} (the URL's, or collab/1's {@code Hello}). */
  void authenticateConnection(String token) {
    authentication.connectionTokenSent();
    authentication.check(token, (p, error) -> {
      if (error != null) {
        refused("", error);
        return;
      }
      authentication.accepted(p, token);
      send(new ServerMessage.Authenticated("", false));
      drainWaiting();
    });
  }

  /**
   * A fresh token for the connection (collab/1's {@code Hello} again): for the same principal, its expiry and its
   * permissions replace the old ones for every document opened with the connection's token (a document whose
   * permission changed is announced again: {@code Opened}); otherwise the connection is refused.
   */
  private void refreshConnection(String token) {
    Grant grant = authentication.grant();
    authentication.check(token, (p, error) -> {
      if (error != null) {
        refused("", error);
      } else if (!p.isSameAs(grant.principal())) {
        deny(CloseCodes.UNAUTHORIZED, "a fresh token must be for the same principal");
      } else if (grant.isValid()) {
        grant.refresh(token, p);
        send(new ServerMessage.Authenticated("", false));
        for (OpenDocuments.Open open : documents.all()) {
          if (open.grant == grant) {
            permit(open.name, open.session, p, false);
          }
        }
      }
    });
  }

  /**
   * Document {@code name} goes on with a fresh token of its principal, {@code fresh}: the client may do what that
   * token grants (a token with less access than the first one does not keep the first one's; one with none ends
   * the document). {@code answer}: the client hears its permission even if it did not change.
   */
  private void permit(String name, DocumentSession session, Principal fresh, boolean answer) {
    Permission permission = fresh.permission(session.document().key());
    if (!permission.canRead()) {
      log.debug("connection {}: {} may no longer open {}", info.id(), fresh, session.document().key());
      endDocument(name, CloseCodes.FORBIDDEN, "no access to this document");
      return;
    }
    session.document().permit(session, permission, answer);
  }

  /**
   * A fresh token for open document {@code name} (Hocuspocus's provider sends its token again): for the same
   * principal, its expiry and its permission on the document replace the old ones, and the client hears that it
   * is authenticated again (with the scope); otherwise the document is refused.
   */
  private void refreshDocument(String name, DocumentSession session, String token) {
    authentication.check(token, (p, error) -> {
      OpenDocuments.Open open = documents.get(name);
      if (open == null || open.session != session) {
        return; // left, refused or expired meanwhile
      }
      if (error != null) {
        leave(name);
        refused(name, error);
      } else if (!p.isSameAs(session.principal)) {
        endDocument(name, CloseCodes.UNAUTHORIZED, "a fresh token must be for the same principal");
      } else {
        if (open.grant == authentication.grant()) {
          // Shared with the documents opened with the connection's token: this document gets a grant of its own.
          open.grant = new Grant(token, p, this);
        } else {
          open.grant.refresh(token, p);
        }
        permit(name, session, p, true);
      }
    });
  }

  /**
   * Answers a failed authentication for {@code document} ("" for the connection): a refused connection token
   * closes the connection, a refused document token refuses the document as the policy says.
   */
  private void refused(String document, Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    int code;
    String reason;
    if (cause instanceof AuthenticationException) {
      log.debug("connection {} refused: {}", info.id(), LogText.safe(cause.getMessage()));
      code = CloseCodes.UNAUTHORIZED;
      reason = cause.getMessage() == null ? "unauthorized" : cause.getMessage();
    } else {
      log.warn("authenticating connection {} failed", info.id(), cause);
      code = CloseCodes.UNAVAILABLE;
      reason = "authentication unavailable, try again later";
    }
    if (document.isEmpty()) {
      deny(code, reason);
    } else {
      refuseDocument(document, principal(), null, code, reason);
    }
  }

  /** Tells the client why it is refused (y-websocket clients log it), then closes; counted as one refusal. */
  void deny(int code, String reason) {
    if (handshake.isClosing()) {
      return;
    }
    count(principal(), null, code, reason);
    send(new ServerMessage.Refused("", 0, code, reason));
    shut(code, reason);
  }

  /**
   * Refuses document {@code name} as the policy says (on a multi-document protocol, that document only), counted as
   * one refusal: the policy's messages and close count nothing more.
   */
  private void refuseDocument(String name, @Nullable Principal who, @Nullable DocumentKey key, int code,
      String reason) {
    count(who, key, code, reason);
    policy().refuseDocument(this, name, code, reason);
  }

  /** Counts one refusal: the metric and the audit log hear of each refusal once, whatever it takes to tell the client. */
  private void count(@Nullable Principal who, @Nullable DocumentKey key, int code, String reason) {
    runtime.metrics().rejected(code);
    runtime.audit(a -> a.refused(info, who, key, code, reason));
  }

  // ----------------------------------------------------------------------------------------------- messages

  /**
   * A message from the client, as it is decoded (on the event loop): counted against the unauthenticated budget at
   * once, then handled if the {@link ReadThrottle} admits it, else held (with what follows) until it does.
   */
  public void receive(ClientMessage message) {
    if (handshake.isClosing()) {
      return;
    }
    if (!authentication.isAuthenticated() && !authentication.withinBudget(message)) {
      close(CloseCodes.POLICY_VIOLATION, "too much data before authentication");
      return;
    }
    if ((held != null && !held.isEmpty()) || !admit(message)) {
      if (held == null) {
        held = new ArrayDeque<>(4);
      }
      held.add(message);
      return;
    }
    handle(message);
  }

  /** Handles the held messages in order, as far as the throttle admits them (on the event loop). */
  void admitHeld() {
    while (held != null && !held.isEmpty() && !handshake.isClosing() && admit(held.peek())) {
      handle(held.poll());
    }
  }

  /** Asks the throttle whether {@code message} may be handled now, with what handling it would cost. */
  private boolean admit(ClientMessage message) {
    boolean checksToken = false;
    boolean opens = false;
    if (message instanceof ClientMessage.Authenticate auth) {
      String name = auth.document();
      OpenDocuments.Open open = documents.get(name);
      if (name.isEmpty()) {
        checksToken = true; // the connection's token, or a fresh one for it
      } else if (open != null) {
        checksToken = open.grant == null || !Objects.equals(open.grant.token(), auth.token()); // a fresh token
      } else {
        checksToken = !authentication.isConnectionToken(auth.token());
        opens = true; // a Hocuspocus token opens its document
      }
    } else if (message instanceof ClientMessage.Open open) {
      opens = !documents.contains(open.document());
    }
    return throttle.admit(checksToken, opens);
  }

  private void handle(ClientMessage message) {
    if (!authentication.isAuthenticated()) {
      if (!(message instanceof ClientMessage.Authenticate)) {
        // Behind its document's token, if one is being checked: a refused token drops what was sent under it.
        ArrayDeque<ClientMessage> queued = authenticatingQueue(message.document());
        if (queued != null) {
          waitForToken(queued, message);
          return;
        }
        if (waiting == null) {
          waiting = new ArrayDeque<>(2);
        }
        waiting.add(message);
        return;
      }
    }
    dispatch(message);
  }

  /**
   * Queues {@code message} behind a document's token that is being checked. It counts as in flight until the answer:
   * an authenticated client could otherwise pile up messages there as fast as the message rate lets it read them
   * (a slow authenticator, 16 MiB each), where now reading pauses at the in-flight limit.
   */
  private void waitForToken(ArrayDeque<ClientMessage> queue, ClientMessage message) {
    throttle.submitted(message);
    queue.add(message);
  }

  /** The messages waiting for document {@code name}'s token to be checked, or null if none is being checked. */
  private ArrayDeque<ClientMessage> authenticatingQueue(String name) {
    return authenticatingDocuments == null ? null : authenticatingDocuments.get(name);
  }

  private void drainWaiting() {
    while (waiting != null && !waiting.isEmpty() && !handshake.isClosing()) {
      dispatch(waiting.poll());
    }
    if (waiting != null && waiting.isEmpty()) {
      waiting = null;
    }
  }

  private void dispatch(ClientMessage message) {
    String name = message.document();
    if (message instanceof ClientMessage.Authenticate auth) {
      authenticateDocument(auth);
      return;
    }
    if (message instanceof ClientMessage.Open) {
      open(name, authentication.grant());
      return;
    }
    ArrayDeque<ClientMessage> queued = authenticatingQueue(name);
    if (queued != null) {
      waitForToken(queued, message);
      return;
    }
    if (message instanceof ClientMessage.Close) {
      leave(name);
      return;
    }
    DocumentSession session = documents.session(name);
    if (session == null) {
      policy().notOpen(this, name);
      return;
    }
    if (message instanceof ClientMessage.Awareness a && !passesAwarenessBudget(a)) {
      return;
    }
    throttle.submitted(message);
    session.document().submit(session, message, () -> throttle.handled(message));
  }

  /**
   * Whether awareness update {@code a} is within the connection's presence budget; if not, it is held (merged with
   * what is held for its document, each client's latest state winning) until the budget has room. An update larger
   * than a state may be passes on, for the document to refuse.
   */
  private boolean passesAwarenessBudget(ClientMessage.Awareness a) {
    int size = a.update().length;
    if (size > config().maxAwarenessStateBytes() || awareness.tryPass(a.document(), size, System.nanoTime())) {
      return true;
    }
    try {
      if (awareness.hold(a.document(), a.update())) {
        awarenessFlush = channel.eventLoop().schedule(this::flushAwareness, awareness.delay(System.nanoTime()),
            TimeUnit.NANOSECONDS);
      }
      runtime.metrics().throttled("awareness");
    } catch (DecodingException e) {
      close(CloseCodes.PROTOCOL_ERROR, "malformed awareness update: " + e.getMessage());
    }
    return false;
  }

  /** Hands the held presence on, one merged update per document (on the event loop). */
  private void flushAwareness() {
    awarenessFlush = null;
    if (handshake.isClosing()) {
      return;
    }
    long wait = awareness.delay(System.nanoTime());
    if (wait > 0) {
      awarenessFlush = channel.eventLoop().schedule(this::flushAwareness, wait, TimeUnit.NANOSECONDS);
      return;
    }
    awareness.drain(System.nanoTime()).forEach((name, update) -> {
      DocumentSession session = documents.session(name);
      if (session != null) {
        ClientMessage.Awareness message = new ClientMessage.Awareness(name, update);
        throttle.submitted(message);
        session.document().submit(session, message, () -> throttle.handled(message));
      }
    });
  }

  private void authenticateDocument(ClientMessage.Authenticate auth) {
    String name = auth.document();
    if (name.isEmpty()) {
      if (authentication.isAuthenticated()) {
        refreshConnection(auth.token());
      } else if (authentication.connectionTokenChecked()) {
        close(CloseCodes.PROTOCOL_ERROR, "already authenticating");
      } else {
        authenticateConnection(auth.token());
      }
      return;
    }
    OpenDocuments.Open open = documents.get(name);
    if (open != null) {
      if (!Objects.equals(open.grant.token(), auth.token())) {
        refreshDocument(name, open.session, auth.token());
      } // else the same token again while open: the first answer stands
      return;
    }
    ArrayDeque<ClientMessage> pending = authenticatingQueue(name);
    if (pending != null) {
      // Asked again while the first token is checked (a provider closed and reopened the document at once):
      // answered in order, after what came before it.
      waitForToken(pending, auth);
      return;
    }
    if (authentication.isConnectionToken(auth.token())) {
      open(name, authentication.grant());
      return;
    }
    if (authenticatingDocuments == null) {
      authenticatingDocuments = new HashMap<>(2);
    }
    if (authenticatingDocuments.size() >= config().maxDocumentsPerConnection()) {
      close(CloseCodes.POLICY_VIOLATION, tooManyDocuments());
      return;
    }
    authenticatingDocuments.put(name, new ArrayDeque<>());
    authentication.check(auth.token(), (p, error) -> {
      ArrayDeque<ClientMessage> queued = authenticatingDocuments == null ? null : authenticatingDocuments.remove(name);
      if (queued == null) {
        return; // closed meanwhile
      }
      for (ClientMessage message : queued) {
        throttle.handled(message); // no longer waiting: dispatched (and counted again) or dropped below
      }
      if (authenticatingDocuments.isEmpty()) {
        authenticatingDocuments = null; // not an empty map (72 bytes) for the rest of the connection's life
      }
      if (error != null) {
        refused(name, error);
        dispatchFromNextToken(queued);
        return;
      }
      Grant grant = authentication.accepted(p, auth.token());
      if (open(name, grant)) {
        queued.forEach(this::dispatch);
      } else {
        if (grant != authentication.grant()) {
          grant.end();
        }
        dispatchFromNextToken(queued);
      }
      drainWaiting();
    });
  }

  /**
   * A document's token was refused, or the document may not be opened: what the client sent about it under that
   * token is dropped, but a later token for it (sent before the answer arrived) starts over.
   */
  private void dispatchFromNextToken(ArrayDeque<ClientMessage> queued) {
    while (!queued.isEmpty() && !(queued.peek() instanceof ClientMessage.Authenticate)) {
      queued.poll();
    }
    while (!queued.isEmpty() && !handshake.isClosing()) {
      dispatch(queued.poll());
    }
  }

  /** The 1008's reason at {@code maxDocumentsPerConnection}: the setting a host raises for clients that need more. */
  private String tooManyDocuments() {
    return "too many documents open on one connection: over the server's maxDocumentsPerConnection of "
        + config().maxDocumentsPerConnection();
  }

  /** Opens document {@code name} under {@code grant}; returns whether it is open (or opening) now. */
  private boolean open(String name, Grant grant) {
    if (documents.contains(name)) {
      return true;
    }
    Principal who = grant.principal();
    if (documents.size() >= config().maxDocumentsPerConnection()) {
      close(CloseCodes.POLICY_VIOLATION, tooManyDocuments());
      return false;
    }
    String documentName = policy().documentName(name);
    DocumentKey key;
    try {
      key = who.documentKey(documentName);
    } catch (IllegalArgumentException e) {
      refuseDocument(name, who, null, CloseCodes.PROTOCOL_ERROR, "invalid document name");
      return false;
    }
    Permission permission = who.permission(key);
    if (!permission.canRead()) {
      log.debug("connection {}: {} may not open {}", info.id(), who, key);
      refuseDocument(name, who, key, CloseCodes.FORBIDDEN, "no access to this document");
      return false;
    }
    SharedDocument document;
    try {
      document = runtime.registry().acquire(key);
    } catch (ServerBusyException e) {
      refuseDocument(name, who, key, CloseCodes.SERVER_BUSY, "server busy, try again later");
      return false;
    } catch (IllegalStateException e) {
      close(CloseCodes.GOING_AWAY, "server shutting down");
      return false;
    }
    runtime.audit(a -> a.opened(info, who, key, permission));
    boolean own = documentName.equals(name);
    Peer peer = own ? this : new AddressedPeer(this, name);
    DocumentSession session = new DocumentSession(peer, document, who, permission, info, policy());
    // The document's own copy of the name when it is the same: each message's decoder made one of its own, which
    // the open document would keep (~60 bytes) for as long as the connection lasts.
    String kept = own && name.equals(document.key().name()) ? document.key().name() : name;
    documents.add(kept, session, grant);
    document.attach(session);
    return true;
  }

  /** The client leaves document {@code name} (the connection stays). */
  private void leave(String name) {
    awareness.forget(name);
    OpenDocuments.Open open = documents.remove(name);
    if (open == null) {
      return;
    }
    open.session.document().detach(open.session);
    if (open.grant != authentication.grant()) {
      open.grant.end();
    }
  }

  /** Takes open document {@code name} away from the client, telling it why as the policy says. */
  void endDocument(String name, int code, String reason) {
    DocumentSession session = documents.session(name);
    if (session == null) {
      return;
    }
    leave(name);
    refuseDocument(name, session.principal, session.document().key(), code, reason);
  }

  /** {@code grant}'s principal expires soon: the client may be asked for a fresh token (on the event loop). */
  void grantExpiring(Grant grant) {
    policy().tokenExpiring(this, documentsOf(grant));
  }

  /** {@code grant}'s principal expired before the client refreshed it (on the event loop). */
  void grantExpired(Grant grant) {
    log.debug("connection {}: token of {} expired", info.id(), grant.principal());
    grantEnded(grant, CloseCodes.TOKEN_EXPIRED, "token expired");
  }

  private void grantEnded(Grant grant, int code, String reason) {
    policy().grantEnded(this, documentsOf(grant), code, reason);
  }

  /** The names of the documents open with {@code grant}. */
  private List<String> documentsOf(Grant grant) {
    return documents.all().stream().filter(open -> open.grant == grant).map(open -> open.name).toList();
  }

  /**
   * Ends every session of principal {@code principalId} of {@code tenant} on this connection whose token was issued
   * at or before {@code issuedBy} (or has no issue time; every session if {@code issuedBy} is null), on any thread (as
   * {@link SessionPolicy#grantEnded} says, with {@link CloseCodes#UNAUTHORIZED} "access revoked"). The future says
   * whether the connection had any.
   */
  public Future<Boolean> revoke(String tenant, String principalId, @Nullable Instant issuedBy) {
    return channel.eventLoop().submit(() -> {
      if (handshake.isClosing()) {
        return false;
      }
      Set<Grant> revoked = new LinkedHashSet<>();
      Grant connectionGrant = authentication.grant();
      if (connectionGrant != null) {
        revoked.add(connectionGrant);
      }
      documents.all().forEach(open -> revoked.add(open.grant));
      revoked.removeIf(g -> !g.principal().tenant().equals(tenant) || !g.principal().id().equals(principalId)
          || issuedBy != null && g.principal().issuedAt() != null && g.principal().issuedAt().isAfter(issuedBy));
      for (Grant grant : revoked) {
        runtime.revocations().coverUntil(grant.principal());
        grant.end();
        grantEnded(grant, CloseCodes.UNAUTHORIZED, "access revoked");
      }
      return !revoked.isEmpty();
    });
  }

  @Override
  public void refuse(DocumentSession session, int code, String reason) {
    channel.eventLoop().execute(() -> {
      String name = documents.nameOf(session);
      if (name != null) {
        leave(name);
        refuseDocument(name, session.principal, session.document().key(), code, reason);
      } else {
        count(session.principal, session.document().key(), code, reason); // it left meanwhile: refused all the same
      }
    });
  }

  // ------------------------------------------------------------------------------------------------- reading

  /**
   * Stops reading for good (the server is closing and about to store everything); on any thread. When the returned
   * future is done, every message read before has been handed to its document.
   */
  public Future<?> stopReading() {
    return throttle.stop();
  }

  // ------------------------------------------------------------------------------------------------- writing

  @Override
  public void send(ServerMessage message) {
    if (!mayWrite(message)) {
      return;
    }
    if (framesWritten) {
      ByteBuf frame = BinaryFrames.encode(protocol, channel.alloc(), message);
      outbound.write(frame, frame.readableBytes());
    } else {
      outbound.write(message, message.size());
    }
  }

  /** Writes the frame that {@code shared} has for this connection's protocol: encoded once for many connections. */
  @Override
  public void send(SharedFrames shared) {
    ServerMessage message = shared.message();
    if (!framesWritten) {
      send(message);
    } else if (mayWrite(message)) {
      ByteBuf frame = shared.frame(protocol, channel.alloc());
      outbound.write(frame, frame.readableBytes());
    }
  }

  /** Whether {@code message} is to be written; closes a client that has more than the limit waiting. */
  private boolean mayWrite(ServerMessage message) {
    if (handshake.isClosing() || !protocol.canSend(message)) {
      return false;
    }
    if (outbound.exceeded()) {
      close(CloseCodes.TRY_AGAIN_LATER, "too slow: outbound buffer full");
      return false;
    }
    return true;
  }

  @Override
  public Executor sendExecutor() {
    return channel.eventLoop();
  }

  /** A document's first full state for this client: exempt from the outbound limit, one at a time. */
  @Override
  public void sendInitial(ServerMessage message) {
    if (handshake.isClosing() || !protocol.canSend(message)) {
      return;
    }
    if (outbound.initialUnsent()) {
      send(message);
    } else if (framesWritten) {
      ByteBuf frame = BinaryFrames.encode(protocol, channel.alloc(), message);
      outbound.writeInitial(frame, frame.readableBytes());
    } else {
      outbound.writeInitial(message, message.size());
    }
  }

  @Override
  public boolean writesSharedFrames() {
    return framesWritten;
  }

  /** A first full state for several clients: the frame {@code shared} has for our protocol, as above. */
  @Override
  public void sendInitial(SharedFrames shared) {
    ServerMessage message = shared.message();
    if (!framesWritten) {
      sendInitial(message);
    } else if (outbound.initialUnsent()) {
      send(shared);
    } else if (!handshake.isClosing() && protocol.canSend(message)) {
      ByteBuf frame = shared.frame(protocol, channel.alloc());
      outbound.writeInitial(frame, frame.readableBytes());
    }
  }

  // ------------------------------------------------------------------------------------------------- closing

  @Override
  public void close(int code, String reason) {
    if (!handshake.request()) {
      return;
    }
    if (isViolation(code)) {
      count(principal(), null, code, reason);
    }
    sendCloseOnLoop(code, reason);
  }

  /** Closes the connection as {@link #close} does, for a refusal already counted (once; later calls do nothing). */
  void shut(int code, String reason) {
    if (handshake.request()) {
      sendCloseOnLoop(code, reason);
    }
  }

  private void sendCloseOnLoop(int code, String reason) {
    if (channel.eventLoop().inEventLoop()) {
      sendClose(code, reason);
    } else {
      channel.eventLoop().execute(() -> sendClose(code, reason));
    }
  }

  /** Whether a close with {@code code} refuses the client (rather than the server going away or failing). */
  private static boolean isViolation(int code) {
    return code != CloseCodes.GOING_AWAY && code != CloseCodes.UNAVAILABLE && code != CloseCodes.INTERNAL_ERROR
        && code != 1000;
  }

  private void sendClose(int code, String reason) {
    log.debug("closing connection {}: {} {}", info.id(), code, LogText.safe(reason));
    handshake.sendFrame(code, reason);
  }

  /** The channel closed (on the event loop): leaves every document. */
  public void closed() {
    if (closed) {
      return;
    }
    closed = true;
    handshake.closed();
    runtime.metrics().connectionClosed(info.protocol());
    authentication.cancel();
    throttle.cancel();
    if (awarenessFlush != null) {
      awarenessFlush.cancel(false);
    }
    List<OpenDocuments.Open> open = documents.all();
    documents.clear();
    for (OpenDocuments.Open o : open) {
      o.session.document().detach(o.session);
    }
    open.forEach(o -> o.grant.end());
    waiting = null;
    held = null;
    authenticatingDocuments = null;
    Principal who = principal();
    List<Principal> everyone = authentication.principals();
    try {
      runtime.blockingPool().execute(() -> {
        runtime.hooks().onDisconnect(info, who);
        if (everyone.isEmpty()) {
          runtime.audit(a -> a.disconnected(info, null));
        }
        // Each user that connected on it (several share a Hocuspocus socket): the log named only the first.
        everyone.forEach(p -> runtime.audit(a -> a.disconnected(info, p)));
      });
    } catch (RejectedExecutionException e) {
      log.debug("connection {}: onDisconnect skipped, the server is shut down", info.id());
    }
  }

  @Override
  public String toString() {
    return "Connection[" + info.id() + "]";
  }
}
