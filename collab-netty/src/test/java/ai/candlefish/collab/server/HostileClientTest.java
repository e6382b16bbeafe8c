package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.StateVector;
import ai.candlefish.collab.core.UpdateLimits;
import ai.candlefish.collab.core.Updates;
import ai.candlefish.collab.core.YMap;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.sync.SyncMessage;
import ai.candlefish.collab.testkit.ForwardingDocumentStore;
import ai.candlefish.collab.testkit.ServerWatch;
import ai.candlefish.collab.testkit.TestTokens;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Clients that send what an honest editor would not, over real sockets (raw Hocuspocus frames): the server answers
 * each attack with a documented refusal code or stays correct, and nothing it acknowledged is ever lost.
 */
class HostileClientTest {
  private static final DocumentKey DOC = DocumentKey.of("acme", "doc");
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final InMemoryDocumentStore memory = new InMemoryDocumentStore();
  private final io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
      new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
  private final List<RawHocuspocusClient> clients = new ArrayList<>();
  private final List<CollabServer> servers = new ArrayList<>();
  private final List<Bystander> bystanders = new ArrayList<>();

  private CollabServer start(DocumentStore store, UnaryOperator<CollabServer.Builder> settings) {
    CollabServer server = settings.apply(CollabServer.newBuilder().host("127.0.0.1").port(0).documentStore(store)
        .authenticator(TestTokens.TOKENS).storeDebounce(Duration.ofMillis(20)).storeMaxWait(Duration.ofMillis(100))
        .unloadDelay(Duration.ofMillis(50)).meterRegistry(meters)).build().start();
    servers.add(server);
    return server;
  }

  private RawHocuspocusClient open(CollabServer server, String document) {
    return open(server.port(), document);
  }

  private RawHocuspocusClient open(int port, String document) {
    RawHocuspocusClient client = new RawHocuspocusClient(port);
    clients.add(client);
    client.auth(document, "alice").step1(document);
    await().atMost(WAIT).until(() -> client.authenticated(document) == 1);
    return client;
  }

  /**
   * Waits until the server refuses {@code client}'s {@code document} for good with {@code code}: a Hocuspocus socket
   * serves several documents, so only that document's session ends (the provider hears "permission denied" with the
   * reason; the code is counted in {@code collab.messages.rejected}) and the socket stays.
   */
  private void assertRefused(RawHocuspocusClient client, String document, int code) {
    // Up to 30 s: 200,000 subdocument references take seconds to read on a loaded machine.
    await().atMost(Duration.ofSeconds(30)).until(() -> !client.denied(document).isEmpty() || client.closed.isDone());
    assertThat(client.closed).as("closed: %s", client.closeReason.getNow(null)).isNotDone();
    assertThat(meters.find("collab.messages.rejected").tag("code", Integer.toString(code)).counter())
        .as("refused with %s", code).isNotNull();
  }

  private Bystander bystander(CollabServer server, String document) {
    Bystander b = Bystander.join(server, document);
    bystanders.add(b);
    return b;
  }

  /** Closes {@code server} (it stores everything) and starts another on the same store: the document's text. */
  private String textAfterRestart(CollabServer server) {
    bystanders.forEach(Bystander::close);
    bystanders.clear();
    server.close();
    return text(start(memory, b -> b), DOC);
  }

  @AfterEach
  void stop() {
    bystanders.forEach(Bystander::close);
    clients.forEach(c -> c.socket.abort());
    servers.forEach(CollabServer::close);
  }

  /** Two edits of one writer: the second depends on the first. */
  private static List<byte[]> chain(String... texts) {
    Doc doc = Doc.create();
    List<byte[]> updates = new ArrayList<>();
    doc.onUpdate((u, origin, txn) -> updates.add(u));
    for (String text : texts) {
      doc.getText("t").insert(doc.getText("t").length(), text);
    }
    return updates;
  }

  private static Doc replay(DocumentStore store, DocumentKey key) {
    Doc doc = Doc.create();
    store.load(key).updates().forEach(doc::applyUpdate);
    return doc;
  }

  private static String text(CollabServer server, DocumentKey key) {
    try (DocumentHandle handle = server.openDocument(key).join()) {
      return handle.read(d -> d.getText("t").toString()).join();
    }
  }

  // ------------------------------------------------------------------------------------ missing dependencies

  @Test
  void updateWithBytesAfterIt_isAppliedAndAcknowledged_andItsSenderStays_asHocuspocusServerDoes() {
    CollabServer server = start(memory, b -> b);
    List<byte[]> edits = chain("kept", " going");
    RawHocuspocusClient sloppy = open(server, "doc");
    sloppy.send("doc", 0, SyncMessage.UPDATE, edits.get(0), 7, "trailing"); // a varuint and a string after it
    sloppy.update("doc", edits.get(1));

    await().atMost(WAIT).until(() -> sloppy.statuses("doc").equals(List.of(1, 1)));
    assertThat(text(server, DOC)).isEqualTo("kept going");
    assertThat(sloppy.closed).isNotDone();
  }

  @Test
  void updateWithMissingDependencies_isStoredBeforeItIsAcknowledged_andSurvivesACrash() {
    CollabServer server = start(memory, b -> b);
    List<byte[]> edits = chain("hello", " world");
    RawHocuspocusClient attacker = open(server, "doc");
    attacker.update("doc", edits.get(1)); // " world" without "hello"
    await().atMost(WAIT).until(() -> attacker.statuses("doc").equals(List.of(1)));

    // The moment it is acknowledged, the store holds it: a crash now loses nothing.
    Doc stored = replay(memory, DOC);
    assertThat(stored.hasPendingUpdates()).isTrue();
    stored.applyUpdate(edits.get(0));
    assertThat(stored.getText("t").toString()).isEqualTo("hello world");

    // Another server on a copy of the store as it was at the acknowledgement (the first one "crashed"): the
    // missing piece arrives there, and the acknowledged part is integrated with it.
    InMemoryDocumentStore copy = new InMemoryDocumentStore();
    memory.load(DOC).updates().forEach(u -> copy.append(DOC, u));
    CollabServer restarted = start(copy, b -> b);
    RawHocuspocusClient writer = open(restarted, "doc");
    writer.update("doc", edits.get(0));
    await().atMost(WAIT).until(() -> writer.statuses("doc").equals(List.of(1)));
    assertThat(text(restarted, DOC)).isEqualTo("hello world");
    assertThat(attacker.closed).isNotDone();
  }

  @Test
  void pendingUpdate_survivesUnloadAndCompaction() {
    CollabServer server = start(memory, b -> b.compactAfterUpdates(1));
    List<byte[]> edits = chain("a", "b", "c");
    RawHocuspocusClient client = open(server, "doc");
    client.update("doc", edits.get(2)).update("doc", edits.get(1));
    await().atMost(WAIT).until(() -> client.statuses("doc").equals(List.of(1, 1)));
    client.close("doc");
    // Unloaded: everything was compacted into one piece, the waiting structs included.
    await().atMost(WAIT).until(() -> server.loadedDocumentCount() == 0);
    assertThat(memory.load(DOC).updateCount()).isEqualTo(1);
    RawHocuspocusClient later = open(server, "doc");
    later.update("doc", edits.get(0));
    await().atMost(WAIT).until(() -> later.statuses("doc").equals(List.of(1)));
    assertThat(text(server, DOC)).isEqualTo("abc");
    assertThat(replay(memory, DOC).getText("t").toString()).isEqualTo("abc");
  }

  @Test
  void pendingBeyondTheBound_refusesTheSenderWith4424_keepsWhatWasAcknowledged_andOthersCarryOn() {
    CollabServer server = start(memory, b -> b.maxPendingBytes(2_500));
    // Each edit depends on the one before; the first never reaches the server from the attacker.
    List<byte[]> edits = chain("start", "a".repeat(600), "b".repeat(600), "c".repeat(600), "d".repeat(600));
    RawHocuspocusClient attacker = open(server, "doc");
    RawHocuspocusClient honest = open(server, "doc");
    ServerWatch watch = Bystander.watch("pending beyond the bound",
        List.of(bystander(server, "doc"), bystander(server, "plans"))).heapBound(16 << 20).start();
    for (int i = 1; i < edits.size() && attacker.denied("doc").isEmpty() && !attacker.closed.isDone(); i++) {
      attacker.update("doc", edits.get(i));
      int sent = i;
      await().atMost(WAIT).until(() -> attacker.statuses("doc").size() == sent || !attacker.denied("doc").isEmpty()
          || attacker.closed.isDone());
    }
    assertRefused(attacker, "doc", CloseCodes.TOO_MUCH_PENDING);
    watch.check();
    List<Integer> acknowledged = attacker.statuses("doc");
    assertThat(acknowledged).hasSize(3); // about 720 bytes each wait (620 encoded, 104 a struct); 4 go beyond 2,500

    // The honest client is unaffected, and what it sends completes the acknowledged part.
    honest.update("doc", edits.get(0));
    await().atMost(WAIT).until(() -> honest.statuses("doc").equals(List.of(1)));
    // Everything acknowledged is there, and nothing of the update that would have crossed the bound: it was not
    // kept, neither in memory nor in the store.
    String text = text(server, DOC);
    assertThat(text).isEqualTo("start" + "a".repeat(600) + "b".repeat(600) + "c".repeat(600));
    assertThat(honest.closed).isNotDone();

    // After a restart on the same store, nothing is missing.
    assertThat(textAfterRestart(server)).isEqualTo(text);
  }

  /**
   * {@code n} Yjs items of client 2 (clocks from {@code first} on), each a deleted item whose origin {@code 1:0} never
   * arrives: 4 bytes each in the v1 update, ~20 bytes for all in v2, the format waiting structs were weighed in.
   */
  private static byte[] waitingItems(int first, int n) {
    Lib0Encoder out = new Lib0Encoder();
    out.writeVarUint(1);
    out.writeVarUint(n);
    out.writeVarUint(2);
    out.writeVarUint(first);
    for (int i = 0; i < n; i++) {
      out.writeUint8(0x81); // has origin; content: deleted
      out.writeVarUint(1); // origin 1:0
      out.writeVarUint(0);
      out.writeVarUint(1); // length
    }
    out.writeVarUint(0);
    return out.toByteArray();
  }

  @Test
  void manyWaitingStructsThatEncodeToAFewBytes_refuseTheSenderWith4424_andAreNotKept() {
    CollabServer server = start(memory, b -> b);
    RawHocuspocusClient honest = open(server, "doc");
    List<byte[]> edits = chain("one", "two");
    honest.update("doc", edits.get(1)); // waits (honestly), within the bound
    await().atMost(WAIT).until(() -> honest.statuses("doc").equals(List.of(1)));
    // The bound is one message being decoded: its structs are objects (~27 MiB) until they are found to wait beyond
    // the pending limit, and a sample may fall in that window. Three attacks kept would be ~81 MiB; the document and
    // the store are checked for what waits below.
    ServerWatch watch = Bystander.watch("cheap waiting structs",
        List.of(bystander(server, "doc"), bystander(server, "plans"))).heapBound(48 << 20).start();
    // 262,144 waiting structs in one 1 MiB message (~27 MiB of heap), twice, and again from a second connection:
    // before, they weighed under 100 bytes each time, nobody was closed (the test waited 10 s in vain).
    for (int attempt = 0; attempt < 3; attempt++) {
      RawHocuspocusClient attacker = open(server, attempt < 2 ? "doc" : "plans");
      attacker.update(attempt < 2 ? "doc" : "plans", waitingItems(attempt * 262_144, 262_144));
      assertRefused(attacker, attempt < 2 ? "doc" : "plans", CloseCodes.TOO_MUCH_PENDING);
      assertThat(attacker.statuses(attempt < 2 ? "doc" : "plans")).isEmpty();
    }
    watch.check();
    honest.update("doc", edits.get(0));
    await().atMost(WAIT).until(() -> honest.statuses("doc").equals(List.of(1, 1)));
    assertThat(text(server, DOC)).isEqualTo("onetwo");
    try (DocumentHandle handle = server.openDocument(DOC).join()) {
      assertThat(handle.read(Doc::hasPendingUpdates).join()).isFalse();
    }
    assertThat(honest.closed).isNotDone();
    assertThat(replay(memory, DOC).hasPendingUpdates()).isFalse(); // nothing of it was stored either
  }

  /** An update of one collected struct under each of {@code n} made-up Yjs client ids from {@code first} on. */
  private static byte[] madeUpClients(long first, int n) {
    Lib0Encoder out = new Lib0Encoder();
    out.writeVarUint(n);
    for (int i = 0; i < n; i++) {
      out.writeVarUint(1); // one struct
      out.writeVarUint(first + i);
      out.writeVarUint(0); // from clock 0
      out.writeUint8(0); // GC
      out.writeVarUint(1); // length
    }
    out.writeVarUint(0);
    return out.toByteArray();
  }

  /** A store that records claims of client ids in one round trip of ~0.2 ms per call, as a database does. */
  private static final class ClaimingStore extends ForwardingDocumentStore {
    /** Calls that claim, whatever their number of ids. */
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public String claimClient(DocumentKey key, long clientId, String owner) {
      calls.incrementAndGet();
      LockSupport.parkNanos(200_000);
      return delegate.claimClient(key, clientId, owner);
    }

    @Override
    public Map<Long, String> claimClients(DocumentKey key, Collection<Long> clientIds, String owner) {
      calls.incrementAndGet();
      LockSupport.parkNanos(200_000);
      return delegate.claimClients(key, clientIds, owner);
    }
  }

  @Test
  void updateUnderManyMadeUpClientIds_isRefusedWith4429_andNoneIsClaimed() {
    ClaimingStore store = new ClaimingStore();
    CollabServer server = start(store, b -> b);
    RawHocuspocusClient attacker = open(server, "doc");
    ServerWatch watch = Bystander.watch("made-up client ids",
        List.of(bystander(server, "doc"), bystander(server, "plans"))).heapBound(16 << 20).start();
    // 100,000 ids in 700 KB: before, 100,000 claims, every acknowledgement of the document behind them (the
    // attacker's own had not come after 120 s at load 26).
    attacker.update("doc", madeUpClients(1_000_000, 100_000));
    assertRefused(attacker, "doc", CloseCodes.TOO_MANY_CLIENT_IDS);
    watch.check();
    int callsBefore = store.calls.get(); // the bystanders' own ids
    assertThat(callsBefore).isLessThanOrEqualTo(4);
    RawHocuspocusClient honest = open(server, "doc");
    honest.update("doc", textUpdate("honest"));
    await().atMost(WAIT).until(() -> honest.statuses("doc").equals(List.of(1)));

    // 10,000 new ids per connection are claimed (in one store call); one more is refused.
    RawHocuspocusClient many = open(server, "doc");
    many.update("doc", madeUpClients(2_000_000, 10_000));
    await().atMost(WAIT).until(() -> many.statuses("doc").equals(List.of(1)));
    many.update("doc", madeUpClients(3_000_000, 1));
    assertRefused(many, "doc", CloseCodes.TOO_MANY_CLIENT_IDS);
    // A step 2 may carry other users' edits the server lost: all are applied, at most 5,000 new ids claimed (half),
    // and the client may still write under an id of its own.
    RawHocuspocusClient stepTwo = open(server, "doc");
    stepTwo.send("doc", 0, SyncMessage.STEP2, madeUpClients(4_000_000, 6_000));
    stepTwo.update("doc", textUpdate(" and more"));
    await().atMost(WAIT).until(() -> stepTwo.statuses("doc").size() == 2 || stepTwo.closed.isDone());
    assertThat(stepTwo.closed).as("closed: %s", stepTwo.closeReason.getNow(null)).isNotDone();
    assertThat(stepTwo.statuses("doc")).containsExactly(1, 1);
    try (DocumentHandle handle = server.openDocument(DOC).join()) {
      StateVector sv = handle.read(Doc::stateVector).join();
      assertThat(sv.get(2_009_999)).isEqualTo(1);
      assertThat(sv.get(3_000_000)).isZero();
      assertThat(java.util.stream.LongStream.range(4_000_000, 4_006_000).filter(c -> sv.get(c) > 0).count())
          .isEqualTo(6_000);
    }
    assertThat(store.delegate.loadClientOwners(DOC).keySet().stream().filter(c -> c >= 4_000_000 && c < 4_006_000))
        .hasSize(5_000);
    // A few calls (honest, many, the step 2, its edit; the bystanders'), not one per id: 16,001 new ids came.
    assertThat(store.calls.get() - callsBefore).isLessThanOrEqualTo(8);
  }

  @Test
  void updateImportingAnOfflineDocumentOfManyPastSessions_isAcknowledged_inOneClaim() {
    ClaimingStore store = new ClaimingStore();
    CollabServer server = start(store, b -> b);
    // A document edited offline in 3,000 sessions (a Yjs client id each, as every page load has), imported into
    // a client that is connected: one update, not a sync step 2. Before, refused with 4429 beyond 64 ids.
    List<byte[]> sessions = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      Doc session = Doc.newBuilder().clientId(5_000_000 + i).build();
      session.getMap("m").set("k" + i, i);
      sessions.add(session.encodeStateAsUpdate());
    }
    RawHocuspocusClient importer = open(server, "doc");
    importer.update("doc", Updates.merge(sessions));
    await().atMost(WAIT).until(() -> importer.statuses("doc").equals(List.of(1)) || importer.closed.isDone());
    assertThat(importer.closed).as("closed: %s", importer.closeReason.getNow(null)).isNotDone();
    assertThat(store.calls.get()).isEqualTo(1);
    assertThat(store.delegate.loadClientOwners(DOC)).hasSize(3_000).containsValue("alice").doesNotContainValue("bob");
    try (DocumentHandle handle = server.openDocument(DOC).join()) {
      assertThat(handle.read(d -> d.getMap("m").size()).join()).isEqualTo(3_000);
    }
  }

  @Test
  void pendingOlderThanTheMaximumAge_refusesMoreWaiting_butAcceptsWhatIntegrates() throws InterruptedException {
    CollabServer server = start(memory, b -> b.maxPendingAge(Duration.ofMillis(50)));
    List<byte[]> edits = chain("one", "two", "three");
    RawHocuspocusClient attacker = open(server, "doc");
    attacker.update("doc", edits.get(1));
    await().atMost(WAIT).until(() -> attacker.statuses("doc").equals(List.of(1)));
    Thread.sleep(100); // older than the maximum age now
    RawHocuspocusClient honest = open(server, "doc");
    honest.update("doc", textUpdate("independent "));
    await().atMost(WAIT).until(() -> honest.statuses("doc").equals(List.of(1)));
    attacker.update("doc", edits.get(2));
    assertRefused(attacker, "doc", CloseCodes.TOO_MUCH_PENDING);
    honest.update("doc", edits.get(0));
    await().atMost(WAIT).until(() -> honest.statuses("doc").equals(List.of(1, 1)));
    assertThat(text(server, DOC)).contains("onetwo");
  }

  // ------------------------------------------------------------------------------------------ shape limits

  /** The update of {@code depth} maps nested in each other under root map "m" (DocumentRefusalsTest too). */
  static byte[] nest(int depth) {
    Doc doc = Doc.create();
    YMap map = doc.getMap("m");
    for (int i = 1; i < depth; i++) {
      YMap child = new YMap();
      map.set("k", child);
      map = child;
    }
    return doc.encodeStateAsUpdate();
  }

  private static byte[] textUpdate(String text) {
    Doc doc = Doc.create();
    doc.getText("t").insert(0, text);
    return doc.encodeStateAsUpdate();
  }

  @Test
  void nestTooDeep_refusesTheSenderWith4422_andChangesNothing() {
    CollabServer server = start(memory, b -> b);
    RawHocuspocusClient attacker = open(server, "doc");
    RawHocuspocusClient honest = open(server, "doc");
    ServerWatch watch = Bystander.watch("nesting too deep",
        List.of(bystander(server, "doc"), bystander(server, "plans"))).heapBound(16 << 20).start();
    attacker.update("doc", nest(UpdateLimits.DEFAULT_MAX_DEPTH + 2));
    assertRefused(attacker, "doc", CloseCodes.NESTING_TOO_DEEP);
    watch.check();
    assertThat(attacker.statuses("doc")).isEmpty();
    honest.update("doc", textUpdate("fine"));
    await().atMost(WAIT).until(() -> honest.statuses("doc").equals(List.of(1)));
    try (DocumentHandle handle = server.openDocument(DOC).join()) {
      assertThat(handle.read(d -> d.rootNames()).join()).containsExactlyInAnyOrder("t", "bystander");
    }
    // A nest within the limit is accepted.
    honest.update("doc", nest(UpdateLimits.DEFAULT_MAX_DEPTH));
    await().atMost(WAIT).until(() -> honest.statuses("doc").equals(List.of(1, 1)));
    assertThat(textAfterRestart(server)).isEqualTo("fine");
  }

  /**
   * {@code n} subdocument references in root map "m" under keys and guids "0", "1", ... of client 9, written
   * directly (~13 bytes each, as Yjs writes them).
   */
  private static byte[] subdocuments(int n) {
    Lib0Encoder out = new Lib0Encoder();
    out.writeVarUint(1); // one client
    out.writeVarUint(n);
    out.writeVarUint(9);
    out.writeVarUint(0); // from clock 0
    for (int i = 0; i < n; i++) {
      String name = Integer.toString(i, 36);
      out.writeUint8(9 | 0x20); // ContentDoc, with a key in its parent
      out.writeVarUint(1); // the parent is a root, by name
      out.writeVarString("m");
      out.writeVarString(name); // the key
      out.writeVarString(name); // the guid
      out.writeAny(Map.of()); // no options
    }
    out.writeVarUint(0); // no deletions
    return out.toByteArray();
  }

  @Test
  void contentThatHoldsFarMoreMemoryThanItsBytes_refusesTheSenderWith4413_asItIsRead() {
    CollabServer server = start(memory, b -> b);
    RawHocuspocusClient attacker = open(server, "doc");
    ServerWatch watch = Bystander.watch("subdocuments", List.of(bystander(server, "doc"), bystander(server, "plans")))
        .heapBound(16 << 20).start();
    // 200,000 subdocument references in 2.6 MB hold ~260 MB (a Doc each): before, they were accepted (the default
    // 128 MiB counted bytes only), kept and acknowledged. Now the update is refused while it is read.
    byte[] update = subdocuments(200_000);
    assertThat(update.length).isLessThan(3 << 20);
    attacker.update("doc", update);
    assertRefused(attacker, "doc", CloseCodes.DOCUMENT_TOO_LARGE);
    watch.check();
    assertThat(attacker.statuses("doc")).isEmpty();
    // Subdocuments within the bound are accepted.
    RawHocuspocusClient honest = open(server, "doc");
    honest.update("doc", subdocuments(100));
    await().atMost(WAIT).until(() -> honest.statuses("doc").equals(List.of(1)));
  }

  /**
   * With a {@code beforeUpdate} hook the server asks which roots an update changes before applying it: that question
   * is decoded within the document's room too. Before, it was asked without limits, and 200,000 subdocument
   * references (2.6 MB) were each kept decoded as a {@code Doc} (~260 MB) before the update was refused as it was
   * applied: in a server with a 96 MiB heap (a JVM of its own, {@link SmallHeapServer}), OutOfMemoryError.
   */
  @Test
  void updateBeyondTheRoom_withABeforeUpdateHook_isRefusedAsItIsRead_inASmallHeap() throws Exception {
    try (SmallHeapServer.Child child = SmallHeapServer.Child.start()) {
      RawHocuspocusClient attacker = open(child.port, "doc");
      RawHocuspocusClient honest = open(child.port, "doc");
      attacker.update("doc", subdocuments(200_000));
      await().atMost(Duration.ofSeconds(60))
          .until(() -> !attacker.denied("doc").isEmpty() || attacker.closed.isDone() || !child.isAlive());
      assertThat(child.isAlive()).as("the server survived (exits on OutOfMemoryError)").isTrue();
      assertThat(attacker.closed).isNotDone();
      assertThat(attacker.denied("doc")).singleElement().asString().contains("maximum size");
      honest.update("doc", subdocuments(100));
      await().atMost(WAIT).until(() -> honest.statuses("doc").equals(List.of(1)) || !child.isAlive());
      assertThat(honest.statuses("doc")).containsExactly(1);
    }
  }

  /**
   * A client's first update under a Yjs client id new to the document is read for the ids it writes under (they
   * become its principal's) before it is decoded within the document's limits. That read built every struct: 115,000
   * subdocument references (1.7 MB) allocated ~150 MB, a {@code Doc} each (16 MiB of them 1.4 GB, and 11 s of the
   * document's thread on a loaded machine). Garbage kills no heap, so this asks the server in a JVM of its own what
   * its threads allocated for the update, refusal included: now it reads the clocks alone, content skipped.
   */
  @Test
  void firstUpdateUnderANewClientId_isReadForItsClocks_withoutBuildingItsStructs() throws Exception {
    try (SmallHeapServer.Child child = SmallHeapServer.Child.start()) {
      RawHocuspocusClient attacker = open(child.port, "doc");
      byte[] update = subdocuments(115_000);
      long before = child.allocated();
      attacker.update("doc", update);
      await().atMost(Duration.ofSeconds(60))
          .until(() -> !attacker.denied("doc").isEmpty() || attacker.closed.isDone() || !child.isAlive());
      long allocated = child.allocated() - before;
      assertThat(attacker.denied("doc")).singleElement().asString().contains("maximum size");
      // Reading the message, the refusal's decoding up to the document's 1 MiB room and what else runs meanwhile
      // take a few times the update's size; building every struct took ~90 times.
      assertThat(allocated).as("bytes the server allocated for a %d-byte update", update.length)
          .isLessThan(20L * update.length);
    }
  }

  /**
   * A sync step 1 whose state vector claims 8 million clients (16 MiB: one client's entry written over and over) was
   * decoded into a table sized by the claim, 192 MB: the server in a 96 MiB heap died of OutOfMemoryError. Now only
   * the clients the document has are kept; the liar gets its step 2 and the others are served.
   */
  @Test
  void syncStep1_ofAStateVectorClaimingMillionsOfClients_isAnswered_inASmallHeap() throws Exception {
    try (SmallHeapServer.Child child = SmallHeapServer.Child.start()) {
      RawHocuspocusClient honest = open(child.port, "doc");
      honest.update("doc", textUpdate("kept"));
      await().atMost(WAIT).until(() -> honest.statuses("doc").equals(List.of(1)) || !child.isAlive());
      RawHocuspocusClient liar = new RawHocuspocusClient(child.port);
      clients.add(liar);
      liar.auth("doc", "alice").send("doc", 0, SyncMessage.STEP1, lyingStateVector(8_000_000));
      await().atMost(Duration.ofSeconds(60)).until(() -> liar.of("doc", 0).stream()
          .anyMatch(r -> r.firstVarUint() == SyncMessage.STEP2) || liar.closed.isDone() || !child.isAlive());
      assertThat(child.isAlive()).as("the server survived (exits on OutOfMemoryError)").isTrue();
      assertThat(liar.closed).isNotDone();
      honest.update("doc", textUpdate("still served"));
      await().atMost(WAIT).until(() -> honest.statuses("doc").equals(List.of(1, 1)) || !child.isAlive());
      assertThat(honest.statuses("doc")).containsExactly(1, 1);
    }
  }

  /** A state vector that claims {@code entries} clients: 100 clients, each written again and again, at clock 0. */
  private static byte[] lyingStateVector(int entries) {
    Lib0Encoder out = new Lib0Encoder();
    out.writeVarUint(entries);
    for (int i = 0; i < entries; i++) {
      out.writeVarUint(i % 100);
      out.writeVarUint(0);
    }
    return out.toByteArray();
  }

  @Test
  void documentTooLarge_refusesTheSenderWith4413() {
    // 2,500 bytes per document (500 characters hold ~1.6 KB with their item, client and root type): the bystander
    // edits another document.
    CollabServer server = start(memory, b -> b.maxDocumentBytes(2_500));
    RawHocuspocusClient client = open(server, "doc");
    client.update("doc", textUpdate("x".repeat(500)));
    await().atMost(WAIT).until(() -> client.statuses("doc").equals(List.of(1)));
    ServerWatch watch = Bystander.watch("document too large", List.of(bystander(server, "plans")))
        .heapBound(16 << 20).start();
    client.update("doc", textUpdate("y".repeat(600)));
    assertRefused(client, "doc", CloseCodes.DOCUMENT_TOO_LARGE);
    watch.check();
    assertThat(text(server, DOC)).isEqualTo("x".repeat(500));
    assertThat(textAfterRestart(server)).isEqualTo("x".repeat(500));
  }

  @Test
  void resendOfWhatTheDocumentHolds_toADocumentMoreThanHalfFull_isAcknowledged() {
    // A reconnecting client may send again what the document has (updates it had no acknowledgement of): it was
    // weighed in full, so a document more than half full closed the sender with 4413 for what adds nothing. 64 KiB
    // per document; 20,000 characters hold ~41 KB.
    CollabServer server = start(memory, b -> b.maxDocumentBytes(64 * 1024));
    RawHocuspocusClient client = open(server, "doc");
    Doc writer = Doc.newBuilder().clientId(1_000_000_001L).build();
    writer.getText("t").insert(0, "x".repeat(20_000));
    byte[] big = writer.encodeStateAsUpdate();
    client.update("doc", big);
    await().atMost(WAIT).until(() -> client.statuses("doc").equals(List.of(1)));
    client.update("doc", big);
    writer.getText("t").insert(0, "y");
    client.update("doc", writer.encodeStateAsUpdate()); // the whole state again, and one character more
    await().atMost(WAIT).until(() -> client.statuses("doc").size() == 3 || client.closed.isDone());
    assertThat(client.closed).isNotDone();
    assertThat(client.statuses("doc")).containsOnly(1);
    assertThat(text(server, DOC)).isEqualTo("y" + "x".repeat(20_000));
    // A genuinely new update of the same size is still refused.
    Doc other = Doc.newBuilder().clientId(1_000_000_002L).build();
    other.getText("t").insert(0, "z".repeat(20_000));
    client.update("doc", other.encodeStateAsUpdate());
    assertRefused(client, "doc", CloseCodes.DOCUMENT_TOO_LARGE);
    assertThat(text(server, DOC)).isEqualTo("y" + "x".repeat(20_000));
  }

  @Test
  void documentLoadedForLong_takesManyTimesItsSizeInOverwrites_withoutBeingRefused() {
    // 8 KiB per document. ~71 KB of updates set a value over and over and type and delete text: what was
    // overwritten or deleted is collected, so the document holds a few KB and stays open to its writers; before,
    // the bytes of the updates received since it was loaded counted, and those beyond 8 KiB were refused with 4413.
    CollabServer server = start(memory, b -> b.maxDocumentBytes(8 * 1024).messageRate(100_000, 100_000));
    RawHocuspocusClient client = open(server, "doc");
    // A fixed client id: a random one's varint length (1-5 bytes, in every update) changed the total by ~8 KB.
    Doc writer = Doc.newBuilder().clientId(1_000_000_000L).build();
    List<byte[]> updates = new ArrayList<>();
    writer.onUpdate((u, o, t) -> updates.add(u));
    for (int i = 0; i < 1_000; i++) {
      writer.getMap("totals").set("price", "EUR " + i);
    }
    for (int i = 0; i < 1_000; i++) {
      writer.getText("t").insert(writer.getText("t").length(), "wall ");
      if (writer.getText("t").length() > 50) {
        writer.getText("t").delete(0, 5);
      }
    }
    assertThat(updates.stream().mapToLong(u -> u.length).sum()).isGreaterThan(8L * 8 * 1024);
    updates.forEach(u -> client.update("doc", u));
    await().atMost(WAIT).until(() -> client.statuses("doc").size() == updates.size() || client.closed.isDone()
        || !client.denied("doc").isEmpty());
    assertThat(client.denied("doc")).isEmpty();
    assertThat(client.closed).isNotDone();
    assertThat(client.statuses("doc")).containsOnly(1);
    assertThat(text(server, DOC)).isEqualTo(writer.getText("t").toString());
    // A genuinely big update is still refused.
    client.update("doc", textUpdate("y".repeat(20_000)));
    assertRefused(client, "doc", CloseCodes.DOCUMENT_TOO_LARGE);
    assertThat(text(server, DOC)).isEqualTo(writer.getText("t").toString());
  }

  @Test
  void builder_rejectsBadLimits_namingThem() {
    CollabServer.Builder b = CollabServer.newBuilder();
    assertThatThrownBy(() -> b.maxNestingDepth(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxNestingDepth must be at least 1 but was 0");
    assertThatThrownBy(() -> b.maxDocumentBytes(-5)).hasMessageContaining("-5");
    assertThatThrownBy(() -> b.maxPendingBytes(-1)).hasMessageContaining("maxPendingBytes");
    assertThatThrownBy(() -> b.maxPendingAge(Duration.ZERO)).hasMessageContaining("maxPendingAge");
  }

  // ------------------------------------------------------------------------------------------ failing hooks

  @Test
  void hooksAndObserversThatThrowErrors_doNotStopStoringOrAcknowledging() {
    CollabHooks hostile = new CollabHooks() {
      @Override
      public void onLoad(DocumentKey key, Doc doc) {
        doc.getText("t").observe(event -> {
          throw new StackOverflowError("observer walked a deep document");
        });
        doc.onUpdate((update, origin, txn) -> {
          throw new AssertionError("update listener");
        });
      }

      @Override
      public void onChange(DocumentKey key, Doc doc) {
        throw new StackOverflowError("toJson of a deep document");
      }

      @Override
      public void onStore(DocumentKey key) {
        throw new AssertionError("store hook");
      }
    };
    CollabServer server = start(memory, b -> b.hooks(hostile));
    RawHocuspocusClient client = open(server, "doc");
    List<byte[]> edits = chain("one ", "two ", "three");
    for (int i = 0; i < edits.size(); i++) {
      client.update("doc", edits.get(i));
      int acknowledged = i + 1;
      await().atMost(WAIT).until(() -> client.statuses("doc").size() == acknowledged);
    }
    assertThat(client.statuses("doc")).containsExactly(1, 1, 1);
    assertThat(replay(memory, DOC).getText("t").toString()).isEqualTo("one two three");
    assertThat(client.closed).isNotDone();
  }
}
