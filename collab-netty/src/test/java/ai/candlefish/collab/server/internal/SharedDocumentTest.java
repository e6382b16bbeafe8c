package ai.candlefish.collab.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.awareness.Awareness;
import ai.candlefish.collab.awareness.AwarenessChange;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.Updates;
import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.StoreException;
import ai.candlefish.collab.spi.StoredDocument;
import ai.candlefish.collab.sync.SyncMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A document's life without sockets: peers are fakes, the store counts its calls, hooks record what they hear.
 */
class SharedDocumentTest {
  private static final DocumentKey KEY = DocumentKey.of("acme", "plans");

  /** Records what the document sends a client. */
  static final class FakePeer implements Peer {
    final List<ServerMessage> received = new CopyOnWriteArrayList<>();
    volatile int closeCode = -1;
    volatile String closeReason;
    volatile Executor executor = DIRECT;
    volatile boolean writesSharedFrames;

    @Override
    public Executor sendExecutor() {
      return executor;
    }

    @Override
    public void send(ServerMessage message) {
      received.add(message);
    }

    @Override
    public void sendInitial(ServerMessage message) {
      received.add(message);
    }

    @Override
    public boolean writesSharedFrames() {
      return writesSharedFrames;
    }

    @Override
    public void close(int code, String reason) {
      closeCode = code;
      closeReason = reason;
    }

    @Override
    public void refuse(DocumentSession session, int code, String reason) {
      close(code, reason);
    }

    List<ServerMessage.Sync> syncs(int type) {
      return received.stream().filter(m -> m instanceof ServerMessage.Sync s && s.type() == type)
          .map(m -> (ServerMessage.Sync) m).toList();
    }
  }

  /** Counts the calls of an in-memory store; a load can be held back. */
  static final class CountingStore implements DocumentStore {
    final InMemoryDocumentStore inner = new InMemoryDocumentStore();
    final AtomicInteger appends = new AtomicInteger();
    /** Appends begun, counted before {@link #holdAppend} holds them. */
    final AtomicInteger appendsBegun = new AtomicInteger();
    final AtomicInteger replaces = new AtomicInteger();
    volatile CountDownLatch holdLoad;
    volatile CountDownLatch holdAppend;
    /** Appends that fail before this many have been tried. */
    volatile int failingAppends;

    @Override
    public StoredDocument load(DocumentKey key) {
      CountDownLatch hold = holdLoad;
      if (hold != null) {
        try {
          hold.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return inner.load(key);
    }

    @Override
    public void append(DocumentKey key, byte[] update) {
      appendsBegun.incrementAndGet();
      CountDownLatch hold = holdAppend;
      if (hold != null) {
        try {
          hold.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (appends.incrementAndGet() <= failingAppends) {
        throw new StoreException("append " + appends.get() + " fails (test)");
      }
      inner.append(key, update);
    }

    @Override
    public void replace(DocumentKey key, byte[] state) {
      replaces.incrementAndGet();
      inner.replace(key, state);
    }

    @Override
    public void delete(DocumentKey key) {
      inner.delete(key);
    }
  }

  /** Records hook calls by name. */
  static final class RecordingHooks implements CollabHooks {
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    volatile String seed;

    @Override
    public void onLoad(DocumentKey key, Doc doc) {
      calls.add("load");
      if (seed != null && doc.getText("t").length() == 0) {
        doc.getText("t").insert(0, seed);
      }
    }

    @Override
    public void onChange(DocumentKey key, Doc doc) {
      calls.add("change");
    }

    @Override
    public void onStore(DocumentKey key) {
      calls.add("store");
    }

    @Override
    public void onAwareness(DocumentKey key, AwarenessChange change) {
      calls.add("awareness");
    }

    @Override
    public void onUnload(DocumentKey key) {
      calls.add("unload");
    }

    long count(String name) {
      synchronized (calls) {
        return calls.stream().filter(name::equals).count();
      }
    }
  }

  private final CountingStore store = new CountingStore();
  private final RecordingHooks hooks = new RecordingHooks();
  private ServerRuntime runtime;
  /** The per-document bound of what waits for the store, as the next {@link #open} sets it. */
  private long maxUnstoredPerDocument = 64L << 20;
  /** What observes the server's work, as the next {@link #open} sets it. */
  private ServerObservations observations = ServerObservations.NONE;

  private SharedDocument open(Duration debounce, Duration maxWait, int compactAfter) {
    return open(store, debounce, maxWait, compactAfter);
  }

  private SharedDocument open(DocumentStore store, Duration debounce, Duration maxWait, int compactAfter) {
    runtime = new ServerRuntime(ServerConfig.newBuilder()
        .store(store)
        .authenticator((t, c) -> {
          throw new AuthenticationException("unused");
        })
        .hooks(hooks)
        .storeDebounce(debounce)
        .storeMaxWait(maxWait)
        .storeRetryMax(Duration.ofMillis(50))
        .compactAfterUpdates(compactAfter)
        .maxUnstoredBytes(maxUnstoredPerDocument, 0)
        .unloadDelay(Duration.ZERO)
        .threads(0, 2, 2)
        .shutdownTimeout(Duration.ofSeconds(5))
        .build(), ServerMetrics.NONE, observations, null, null);
    return runtime.registry().acquire(KEY);
  }

  @AfterEach
  void stop() {
    if (runtime != null) {
      runtime.shutdown(1000);
    }
  }

  private static DocumentSession attach(SharedDocument document, FakePeer peer, Permission permission) {
    DocumentSession session = new DocumentSession(peer, document, null, permission, null, SessionPolicy.Y_WEBSOCKET);
    document.attach(session);
    return session;
  }

  private static void submit(SharedDocument document, DocumentSession session, ClientMessage message) {
    CountDownLatch done = new CountDownLatch(1);
    document.submit(session, message, done::countDown);
    try {
      assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** Keeps {@code threads} threads of {@code executor} busy until the returned latch is counted down. */
  private static CountDownLatch occupy(Executor executor, int threads) throws InterruptedException {
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch busy = new CountDownLatch(threads);
    for (int i = 0; i < threads; i++) {
      executor.execute(() -> {
        busy.countDown();
        try {
          held.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
    }
    assertThat(busy.await(30, TimeUnit.SECONDS)).isTrue();
    return held;
  }

  private static byte[] insertUpdate(Doc doc, int index, String text) {
    List<byte[]> updates = new ArrayList<>();
    var subscription = doc.onUpdate((u, origin, txn) -> updates.add(u));
    doc.getText("t").insert(index, text);
    subscription.close();
    return updates.get(0);
  }

  private String storedText() {
    Doc loaded = Doc.create();
    store.inner.load(KEY).updates().forEach(loaded::applyUpdate);
    return loaded.getText("t").toString();
  }

  private static String text(SharedDocument document) {
    return document.call(doc -> doc.getText("t").toString()).join();
  }

  @Test
  void attach_waitsForTheLoad_thenSendsTheServersStep1() {
    Doc stored = Doc.create();
    store.inner.append(KEY, insertUpdate(stored, 0, "stored"));
    store.holdLoad = new CountDownLatch(1);
    SharedDocument document = open(Duration.ofMillis(10), Duration.ofMillis(50), 100);
    FakePeer peer = new FakePeer();
    attach(document, peer, Permission.WRITE);
    await().pollDelay(Duration.ofMillis(100)).until(() -> true);
    assertThat(peer.received).as("nothing before the stored state is in memory").isEmpty();

    store.holdLoad.countDown();
    await().until(() -> !peer.received.isEmpty());
    assertThat(peer.syncs(SyncMessage.STEP1)).singleElement()
        .satisfies(s -> assertThat(s.payload()).isEqualTo(stored.encodeStateVector()));
    assertThat(hooks.calls).startsWith("load");
  }

  @Test
  void step1_askedAgain_isAnsweredWithStep2_andForAMultiDocumentClientWithOurStep1Too() {
    SharedDocument document = open(Duration.ofMillis(10), Duration.ofMillis(50), 100);
    FakePeer single = new FakePeer();
    FakePeer multi = new FakePeer();
    DocumentSession singleSession = attach(document, single, Permission.WRITE);
    DocumentSession multiSession =
        new DocumentSession(multi, document, null, Permission.WRITE, null, SessionPolicy.HOCUSPOCUS);
    document.attach(multiSession);
    for (int i = 0; i < 2; i++) {
      submit(document, singleSession, new ClientMessage.Sync("plans", SyncMessage.STEP1, new byte[] {0}));
      submit(document, multiSession, new ClientMessage.Sync("plans", SyncMessage.STEP1, new byte[] {0}));
    }
    assertThat(single.syncs(SyncMessage.STEP2)).hasSize(2);
    assertThat(single.syncs(SyncMessage.STEP1)).as("y-websocket: once, on attach").hasSize(1);
    assertThat(multi.syncs(SyncMessage.STEP2)).hasSize(2);
    assertThat(multi.syncs(SyncMessage.STEP1)).as("on attach, then with each later step 2").hasSize(2);
    assertThat(multi.received.get(0)).isEqualTo(new ServerMessage.Authenticated("plans", false));
  }

  /**
   * Joiners queued behind one another with the same state vector are answered with one encoding of the state (the
   * same array, one frame per protocol); a joiner queued behind an update, or behind an update that only waits for a
   * missing piece (no update event), gets what that added: each step 2 is the bytes a fresh encoding would be.
   * Without the shared encoding every joiner's step 2 was an array of its own.
   */
  @Test
  void step1_ofJoinersQueuedTogether_isAnsweredWithOneEncoding_thatHoldsWhatWasAppliedBeforeEach() throws Exception {
    SharedDocument document = open(Duration.ofMillis(10), Duration.ofMillis(50), 100);
    DocumentSession writer = attach(document, new FakePeer(), Permission.WRITE);
    Doc client = Doc.create();
    Doc reference = Doc.create(); // what the server's document holds, stage by stage
    byte[] hello = insertUpdate(client, 0, "hello");
    reference.applyUpdate(hello);
    submit(document, writer, new ClientMessage.Sync("plans", SyncMessage.UPDATE, hello));
    List<FakePeer> joiners = new ArrayList<>();
    List<DocumentSession> sessions = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      joiners.add(new FakePeer());
      joiners.get(i).writesSharedFrames = i < 6;
      sessions.add(attach(document, joiners.get(i), Permission.WRITE));
    }
    Doc other = Doc.create();
    other.applyUpdate(client.encodeStateAsUpdate());
    insertUpdate(other, 0, ">"); // never sent: what follows waits for it
    byte[] waiting = insertUpdate(other, 0, ">");
    byte[] world = insertUpdate(client, 5, " world");

    CountDownLatch hold = new CountDownLatch(1);
    document.call(doc -> {
      try {
        return hold.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    });
    CountDownLatch done = new CountDownLatch(9);
    ClientMessage step1 = new ClientMessage.Sync("plans", SyncMessage.STEP1, new byte[] {0});
    document.submit(sessions.get(0), step1, done::countDown);
    document.submit(sessions.get(6), step1, done::countDown); // a bridged socket's: an encoding of its own
    document.submit(sessions.get(1), step1, done::countDown);
    document.submit(writer, new ClientMessage.Sync("plans", SyncMessage.UPDATE, world), done::countDown);
    document.submit(sessions.get(2), step1, done::countDown);
    document.submit(sessions.get(3), step1, done::countDown);
    document.submit(writer, new ClientMessage.Sync("plans", SyncMessage.UPDATE, waiting), done::countDown);
    document.submit(sessions.get(4), step1, done::countDown);
    document.submit(sessions.get(5), new ClientMessage.Sync("plans", SyncMessage.STEP1,
        client.encodeStateVector()), done::countDown);
    hold.countDown();
    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();

    List<byte[]> step2 = joiners.stream().map(j -> j.syncs(SyncMessage.STEP2).get(0).payload()).toList();
    byte[] beforeWorld = reference.encodeStateAsUpdate();
    reference.applyUpdate(world);
    byte[] beforeWaiting = reference.encodeStateAsUpdate();
    reference.applyUpdate(waiting);
    assertThat(reference.hasPendingUpdates()).isTrue();
    assertThat(step2.get(0)).isEqualTo(beforeWorld).isSameAs(step2.get(1));
    assertThat(step2.get(6)).isEqualTo(beforeWorld).isNotSameAs(step2.get(0));
    assertThat(step2.get(2)).isEqualTo(beforeWaiting).isSameAs(step2.get(3));
    assertThat(step2.get(4)).as("with what waits").isEqualTo(reference.encodeStateAsUpdate());
    assertThat(step2.get(5)).as("another state vector: its own encoding")
        .isEqualTo(reference.encodeStateAsUpdate(client.encodeStateVector()));
  }

  /** An event loop stand-in: keeps the tasks until told to run them. */
  static final class QueueExecutor implements Executor {
    final List<Runnable> tasks = new CopyOnWriteArrayList<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    void runAll() {
      tasks.forEach(Runnable::run);
    }
  }

  @Test
  void update_isBroadcastWithOneTaskPerEventLoop_inOrder() {
    SharedDocument document = open(Duration.ofMillis(10), Duration.ofMillis(50), 100);
    QueueExecutor loop1 = new QueueExecutor();
    QueueExecutor loop2 = new QueueExecutor();
    FakePeer sender = new FakePeer();
    List<FakePeer> receivers = List.of(new FakePeer(), new FakePeer(), new FakePeer(), new FakePeer());
    DocumentSession senderSession = attach(document, sender, Permission.WRITE);
    for (int i = 0; i < receivers.size(); i++) {
      receivers.get(i).executor = i % 2 == 0 ? loop1 : loop2;
      attach(document, receivers.get(i), Permission.WRITE);
    }
    Doc client = Doc.create();
    byte[] first = insertUpdate(client, 0, "a");
    byte[] second = insertUpdate(client, 1, "b");

    submit(document, senderSession, new ClientMessage.Sync("plans", SyncMessage.UPDATE, first));
    submit(document, senderSession, new ClientMessage.Sync("plans", SyncMessage.UPDATE, second));

    // Two receivers on each loop: one task per loop and update, not one per receiver.
    assertThat(loop1.tasks).hasSize(2);
    assertThat(loop2.tasks).hasSize(2);
    assertThat(receivers.get(0).syncs(SyncMessage.UPDATE)).isEmpty();
    loop1.runAll();
    loop2.runAll();
    for (FakePeer receiver : receivers) {
      assertThat(receiver.syncs(SyncMessage.UPDATE)).extracting(ServerMessage.Sync::payload)
          .containsExactly(first, second);
    }
    assertThat(sender.syncs(SyncMessage.UPDATE)).isEmpty();
  }

  @Test
  void update_isRelayedToTheOthers_notBackToItsSender() {
    SharedDocument document = open(Duration.ofMillis(10), Duration.ofMillis(50), 100);
    FakePeer a = new FakePeer();
    FakePeer b = new FakePeer();
    DocumentSession sa = attach(document, a, Permission.WRITE);
    attach(document, b, Permission.WRITE);
    byte[] update = insertUpdate(Doc.create(), 0, "hi");
    submit(document, sa, new ClientMessage.Sync("plans", SyncMessage.UPDATE, update));
    assertThat(b.syncs(SyncMessage.UPDATE)).singleElement().satisfies(s -> assertThat(s.payload()).isEqualTo(update));
    assertThat(a.syncs(SyncMessage.UPDATE)).isEmpty();
    assertThat(text(document)).isEqualTo("hi");
  }

  @Test
  void update_thatCompletesAnotherClientsWaitingUpdate_reachesItsSenderToo() {
    SharedDocument document = open(Duration.ofMillis(10), Duration.ofMillis(50), 100);
    FakePeer a = new FakePeer();
    FakePeer b = new FakePeer();
    DocumentSession sa = attach(document, a, Permission.WRITE);
    DocumentSession sb = attach(document, b, Permission.WRITE);
    Doc writer = Doc.create();
    byte[] first = insertUpdate(writer, 0, "ab");
    byte[] second = insertUpdate(writer, 2, "cd");
    // b sends the second part first (the server keeps it waiting for the first), then a sends the first part,
    // which it got before the server did (say, from a server that crashed before storing it).
    submit(document, sb, new ClientMessage.Sync("plans", SyncMessage.UPDATE, second));
    assertThat(text(document)).isEmpty();
    submit(document, sa, new ClientMessage.Sync("plans", SyncMessage.UPDATE, first));
    assertThat(text(document)).isEqualTo("abcd");

    Doc atA = Doc.create();
    atA.applyUpdate(first);
    a.syncs(SyncMessage.UPDATE).forEach(u -> atA.applyUpdate(u.payload()));
    assertThat(atA.getText("t").toString()).as("a gets b's waiting update, completed by its own").isEqualTo("abcd");
    assertThat(atA.hasPendingUpdates()).isFalse();
  }

  @Test
  void readOnlySession_update_isRejected_andNothingIsApplied() {
    SharedDocument document = open(Duration.ofMillis(10), Duration.ofMillis(50), 100);
    FakePeer reader = new FakePeer();
    FakePeer other = new FakePeer();
    DocumentSession session = attach(document, reader, Permission.READ);
    attach(document, other, Permission.WRITE);
    submit(document, session, new ClientMessage.Sync("plans", SyncMessage.STEP2, new byte[] {0, 0}));
    assertThat(reader.received).noneMatch(m -> m instanceof ServerMessage.Refused);

    submit(document, session, new ClientMessage.Sync("plans", SyncMessage.UPDATE,
        insertUpdate(Doc.create(), 0, "vandal")));
    assertThat(reader.received).contains(new ServerMessage.Refused("plans", 0, 4403,
        "read-only access: update rejected"));
    assertThat(other.syncs(SyncMessage.UPDATE)).isEmpty();
    assertThat(text(document)).isEmpty();
    assertThat(reader.closeCode).as("stays connected").isEqualTo(-1);
  }

  @Test
  void updateWithAck_isAcknowledgedOnlyOnceStored_withoutWaitingForTheDebounce() {
    SharedDocument document = open(Duration.ofSeconds(30), Duration.ofSeconds(60), 1000);
    FakePeer writer = new FakePeer();
    DocumentSession session = attach(document, writer, Permission.WRITE);
    store.holdAppend = new CountDownLatch(1);
    byte[] update = insertUpdate(Doc.create(), 0, "a");
    submit(document, session, new ClientMessage.Sync("plans", SyncMessage.UPDATE, update, 7));
    await().pollDelay(Duration.ofMillis(200)).until(() -> true);
    assertThat(writer.received).as("not stored yet").noneMatch(m -> m instanceof ServerMessage.Ack);

    store.holdAppend.countDown();
    await().atMost(Duration.ofSeconds(30)).until(() -> writer.received.contains(new ServerMessage.Ack("plans", 7)));
    assertThat(storedText()).isEqualTo("a");
  }

  @Test
  void updateWithAck_isNotHeldBack_byAnUpdateWithoutAckThatArrivesAfterIt() {
    // A Hocuspocus client (acks) and a y-websocket client (none) on one document, while a write is in flight: the
    // later update without an ack must not push the waiting ack's write out to the debounce.
    SharedDocument document = open(Duration.ofSeconds(30), Duration.ofSeconds(60), 1000);
    FakePeer acked = new FakePeer();
    FakePeer plain = new FakePeer();
    DocumentSession ackedSession = attach(document, acked, Permission.WRITE);
    DocumentSession plainSession = attach(document, plain, Permission.WRITE);
    store.holdAppend = new CountDownLatch(1);
    Doc source = Doc.create();
    submit(document, ackedSession, new ClientMessage.Sync("plans", SyncMessage.UPDATE, insertUpdate(source, 0, "a"), 7));
    await().atMost(Duration.ofSeconds(30)).until(() -> store.appendsBegun.get() == 1); // "a" in flight, held
    submit(document, ackedSession, new ClientMessage.Sync("plans", SyncMessage.UPDATE, insertUpdate(source, 1, "b"), 8));
    submit(document, plainSession, new ClientMessage.Sync("plans", SyncMessage.UPDATE, insertUpdate(source, 2, "c"), 0));

    store.holdAppend.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> acked.received.contains(new ServerMessage.Ack("plans", 8)));
    assertThat(storedText()).startsWith("ab");
  }

  @Test
  void updateWithAck_isStoredAndAcknowledged_withoutTheTimerThread() throws InterruptedException {
    SharedDocument document = open(Duration.ofSeconds(30), Duration.ofSeconds(60), 1000);
    FakePeer writer = new FakePeer();
    DocumentSession session = attach(document, writer, Permission.WRITE);
    CountDownLatch timerHeld = occupy(runtime.timer(), 1);
    try {
      byte[] update = insertUpdate(Doc.create(), 0, "a");
      submit(document, session, new ClientMessage.Sync("plans", SyncMessage.UPDATE, update, 7));
      await().atMost(Duration.ofSeconds(30)).until(() -> writer.received.contains(new ServerMessage.Ack("plans", 7)));
      assertThat(storedText()).isEqualTo("a");
    } finally {
      timerHeld.countDown();
    }
  }

  @Test
  void updateWithAck_inTheInMemoryStore_isStoredAndAcknowledgedWithoutTheBlockingPool() throws InterruptedException {
    InMemoryDocumentStore memory = new InMemoryDocumentStore();
    SharedDocument document = open(memory, Duration.ofSeconds(30), Duration.ofSeconds(60), 1000);
    FakePeer writer = new FakePeer();
    DocumentSession session = attach(document, writer, Permission.WRITE);
    document.loaded().join(); // the load still reads on the blocking pool: not on an event loop
    CountDownLatch poolHeld = occupy(runtime.blockingPool(), 2); // open() gives the blocking pool 2 threads
    try {
      byte[] update = insertUpdate(Doc.create(), 0, "a");
      submit(document, session, new ClientMessage.Sync("plans", SyncMessage.UPDATE, update, 7));
      await().atMost(Duration.ofSeconds(30)).until(() -> writer.received.contains(new ServerMessage.Ack("plans", 7)));
      Doc stored = Doc.create();
      memory.load(KEY).updates().forEach(stored::applyUpdate);
      assertThat(stored.getText("t").toString()).as("stored before its ack").isEqualTo("a");
    } finally {
      poolHeld.countDown();
    }
  }

  @Test
  void batchOfUpdates_inTheInMemoryStore_isMergedAndStoredOffTheDocumentsThread() {
    List<String> storeThreads = new CopyOnWriteArrayList<>();
    observations = new ServerObservations() {
      @Override
      public Observed start(Work work, String protocol, DocumentKey key, long connection) {
        if (work == Work.STORE) {
          storeThreads.add(Thread.currentThread().getName());
        }
        return Observed.NONE;
      }
    };
    InMemoryDocumentStore memory = new InMemoryDocumentStore();
    SharedDocument document = open(memory, Duration.ofMillis(100), Duration.ofSeconds(10), 1000);
    String documentThread = document.call(doc -> {
      for (int i = 0; i < 100; i++) {
        doc.getText("t").insert(i, "x");
      }
      return Thread.currentThread().getName();
    }).join();
    await().atMost(Duration.ofSeconds(30)).until(() -> hooks.count("store") == 1);
    assertThat(storeThreads).as("the batch of 100 updates, merged and appended on the blocking pool, not on %s",
        documentThread).singleElement().asString().startsWith("collab-blocking");
    Doc stored = Doc.create();
    memory.load(KEY).updates().forEach(stored::applyUpdate);
    assertThat(stored.getText("t").toString()).isEqualTo("x".repeat(100));
  }

  @Test
  void updateWithAck_whenTheStoreFails_isAcknowledgedAfterTheRetrySucceeds() {
    SharedDocument document = open(Duration.ZERO, Duration.ZERO, 1000);
    FakePeer writer = new FakePeer();
    DocumentSession session = attach(document, writer, Permission.WRITE);
    store.failingAppends = 1;
    byte[] update = insertUpdate(Doc.create(), 0, "b");
    submit(document, session, new ClientMessage.Sync("plans", SyncMessage.UPDATE, update, 3));
    await().atMost(Duration.ofSeconds(30)).until(() -> writer.received.contains(new ServerMessage.Ack("plans", 3)));
    assertThat(store.appends.get()).as("failed once, then stored").isEqualTo(2);
    assertThat(storedText()).isEqualTo("b");
  }

  @Test
  void updates_whileTheStoreIsDown_pastTheBacklogBound_areRefusedWith1013_andWhatWasAcceptedIsStoredWhenItIsBack() {
    maxUnstoredPerDocument = 64 * 1024;
    SharedDocument document = open(Duration.ZERO, Duration.ZERO, 1000);
    FakePeer writer = new FakePeer();
    DocumentSession session = attach(document, writer, Permission.WRITE);
    store.failingAppends = Integer.MAX_VALUE;
    Doc source = Doc.newBuilder().clientId(7).build();
    String chunk = "x".repeat(1000);
    int sent = 0;
    while (writer.closeCode == -1 && sent < 1000) {
      sent++;
      submit(document, session, new ClientMessage.Sync("plans", SyncMessage.UPDATE, insertUpdate(source, 0, chunk),
          sent));
    }
    int accepted = sent - 1;

    assertThat(writer.closeCode).isEqualTo(CloseCodes.TRY_AGAIN_LATER);
    assertThat(writer.closeReason).contains("try again later");
    // Each accepted update weighs at least its 1,000 bytes of text: the bound is reached within 66 of them.
    assertThat(accepted).isBetween(1, 66);
    assertThat(text(document)).as("the refused update changed nothing").hasSize(accepted * 1000);
    assertThat(writer.received).noneMatch(m -> m instanceof ServerMessage.Ack);
    FakePeer reader = new FakePeer();
    DocumentSession readerSession = attach(document, reader, Permission.READ);
    submit(document, readerSession, new ClientMessage.Sync("plans", SyncMessage.STEP1, new byte[] {0}, 0));
    assertThat(reader.syncs(SyncMessage.STEP2)).as("a reader still reads").hasSize(1);

    store.failingAppends = 0;
    await().atMost(Duration.ofSeconds(30)).until(() -> writer.received.stream()
        .filter(m -> m instanceof ServerMessage.Ack).count() == accepted);
    assertThat(storedText()).hasSize(accepted * 1000).isEqualTo(text(document));
    assertThat(runtime.unstoredBytes()).isZero();
    assertThat(runtime.unstoredUpdates()).isZero();
  }

  @Test
  void updates_whileTheStoreIsDown_waitMergedIntoOneUpdate_afterAFailedWrite() {
    SharedDocument document = open(Duration.ZERO, Duration.ZERO, 1000);
    FakePeer writer = new FakePeer();
    DocumentSession session = attach(document, writer, Permission.WRITE);
    store.failingAppends = Integer.MAX_VALUE;
    Doc source = Doc.newBuilder().clientId(7).build();
    List<byte[]> updates = new ArrayList<>();
    for (int i = 0; i < 300; i++) { // typing: one character an update
      updates.add(insertUpdate(source, i, "a"));
      submit(document, session, new ClientMessage.Sync("plans", SyncMessage.UPDATE, updates.get(i), i + 1));
    }
    long each = 0;
    for (byte[] update : updates) {
      each += update.length + StoreWriter.PIECE_OVERHEAD + StoreWriter.ACK_WEIGHT;
    }
    long asTheyCame = each;
    long merged = Updates.merge(updates).length + StoreWriter.PIECE_OVERHEAD + 300L * StoreWriter.ACK_WEIGHT;
    assertThat(merged).isLessThan(asTheyCame * 3 / 4);

    await().atMost(Duration.ofSeconds(30)).until(() -> runtime.unstoredBytes() == merged);
    assertThat(runtime.unstoredUpdates()).isEqualTo(300);
    store.failingAppends = 0;
    await().atMost(Duration.ofSeconds(30)).until(() -> writer.received.contains(new ServerMessage.Ack("plans", 300)));
    assertThat(storedText()).isEqualTo("a".repeat(300));
    assertThat(runtime.unstoredBytes()).isZero();
  }

  @Test
  void readOnlySession_updateWithAck_isRefusedWithItsAckId() {
    SharedDocument document = open(Duration.ofMillis(10), Duration.ofMillis(50), 100);
    FakePeer reader = new FakePeer();
    DocumentSession session = attach(document, reader, Permission.READ);
    byte[] update = insertUpdate(Doc.create(), 0, "x");
    submit(document, session, new ClientMessage.Sync("plans", SyncMessage.UPDATE, update, 9));
    assertThat(reader.received).contains(new ServerMessage.Refused("plans", 9, CloseCodes.FORBIDDEN,
        "read-only access: update rejected"));
    assertThat(reader.received).noneMatch(m -> m instanceof ServerMessage.Ack);
  }

  @Test
  void malformedUpdate_closesOnlyItsSession() {
    SharedDocument document = open(Duration.ofMillis(10), Duration.ofMillis(50), 100);
    FakePeer bad = new FakePeer();
    FakePeer good = new FakePeer();
    DocumentSession badSession = attach(document, bad, Permission.WRITE);
    DocumentSession goodSession = attach(document, good, Permission.WRITE);
    submit(document, badSession, new ClientMessage.Sync("plans", SyncMessage.UPDATE, new byte[] {9, 9, 9}));
    assertThat(bad.closeCode).isEqualTo(CloseCodes.PROTOCOL_ERROR);
    assertThat(bad.closeReason).startsWith("malformed update");

    submit(document, goodSession, new ClientMessage.Sync("plans", SyncMessage.UPDATE,
        insertUpdate(Doc.create(), 0, "fine")));
    assertThat(text(document)).isEqualTo("fine");
    assertThat(good.closeCode).isEqualTo(-1);
    assertThat(bad.syncs(SyncMessage.UPDATE)).as("a closed session hears nothing more").isEmpty();
  }

  @Test
  void detach_removesTheSessionsAwarenessStates_andTellsTheOthersAtOnce() {
    SharedDocument document = open(Duration.ofMillis(10), Duration.ofMillis(50), 100);
    FakePeer leaving = new FakePeer();
    FakePeer staying = new FakePeer();
    DocumentSession leavingSession = attach(document, leaving, Permission.READ);
    attach(document, staying, Permission.WRITE);
    Awareness client = new Awareness(77, System::currentTimeMillis);
    client.setLocalState(Map.of("name", "Ann"));
    submit(document, leavingSession, new ClientMessage.Awareness("plans", client.encodeUpdate()));
    // A client's presence goes out within the awareness interval (coalesced), to its sender too.
    await().untilAsserted(() -> assertThat(leaving.received).as("echoed to its sender too")
        .anyMatch(m -> m instanceof ServerMessage.Awareness));
    await().until(() -> staying.received.stream().anyMatch(m -> m instanceof ServerMessage.Awareness));

    Awareness observer = new Awareness(1, System::currentTimeMillis);
    staying.received.stream().filter(m -> m instanceof ServerMessage.Awareness)
        .forEach(m -> observer.applyUpdate(((ServerMessage.Awareness) m).update(), "server"));
    assertThat(observer.states()).containsKey(77L);
    staying.received.clear();

    runtime.registry().acquire(KEY); // keep the document loaded past the detach
    document.detach(leavingSession);
    await().until(() -> staying.received.stream().anyMatch(m -> m instanceof ServerMessage.Awareness));
    staying.received.stream().filter(m -> m instanceof ServerMessage.Awareness)
        .forEach(m -> observer.applyUpdate(((ServerMessage.Awareness) m).update(), "server"));
    assertThat(observer.states()).doesNotContainKey(77L);
    assertThat(hooks.count("awareness")).isEqualTo(2);
  }

  @Test
  void burstOfUpdates_isStoredOnceAfterTheDebounce() {
    SharedDocument document = open(Duration.ofMillis(150), Duration.ofSeconds(10), 1000);
    document.call(doc -> {
      for (int i = 0; i < 20; i++) {
        doc.getText("t").insert(i, "x");
      }
      return null;
    }).join();
    await().atMost(Duration.ofSeconds(30)).until(() -> hooks.count("store") == 1);
    assertThat(store.appends.get()).as("the batch, merged").isEqualTo(1);
    assertThat(storedText()).isEqualTo("x".repeat(20));
    assertThat(hooks.count("change")).isEqualTo(1);
    assertThat(store.replaces.get()).isZero();
  }

  @Test
  void longBatch_isStoredWithoutWaitingForTheDebounce_inPiecesOfMaxBatchUpdates() {
    // Debounce and maximum wait of an hour: only the batch's length can have it written.
    SharedDocument document = open(Duration.ofHours(1), Duration.ofHours(1), 1000);
    int edits = 0;
    for (int batch = 1; batch <= 2; batch++) {
      for (int i = 0; i < StoreWriter.MAX_BATCH_UPDATES; i++, edits++) {
        int index = edits;
        document.call(doc -> {
          doc.getText("t").insert(index, "x");
          return null;
        }).join();
      }
      int written = batch;
      await().atMost(Duration.ofSeconds(30)).until(() -> store.appends.get() == written);
      // The write is due with the batch's last update and runs before the next: nothing else went in it.
      assertThat(storedText()).as("after %d updates", edits).isEqualTo("x".repeat(edits));
    }
    assertThat(store.replaces.get()).isZero();
  }

  @Test
  void heavyBatch_isStoredWithoutWaitingForTheDebounce() {
    SharedDocument document = open(Duration.ofHours(1), Duration.ofHours(1), 1000);
    String large = "y".repeat((int) (StoreWriter.MAX_BATCH_WEIGHT / 4));
    for (int i = 0; i < 4; i++) {
      document.call(doc -> {
        doc.getText("t").insert(0, large);
        return null;
      }).join();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> store.appends.get() == 1);
    assertThat(storedText()).isEqualTo(large.repeat(4));
  }

  @Test
  void steadyUpdates_areStoredAtTheMaxWait_notOnlyWhenTheyStop() throws InterruptedException {
    SharedDocument document = open(Duration.ofMillis(200), Duration.ofMillis(300), 1000);
    // One edit every 50 ms, so that the debounce alone would never fire, until the second store or 30 s (on a
    // loaded machine the timer may run late: the edits go on until it ran, instead of a fixed second of them).
    int edits = 0;
    for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        hooks.count("store") < 2 && System.nanoTime() < end; edits++) {
      int index = edits;
      document.call(doc -> {
        doc.getText("t").insert(index, "x");
        return null;
      }).join();
      Thread.sleep(50);
    }
    assertThat(hooks.count("store")).as("stored while the edits went on").isGreaterThanOrEqualTo(2);
    String all = "x".repeat(edits);
    await().until(() -> storedText().equals(all));
  }

  @Test
  void pastCompactAfter_theStoreGetsTheWholeDocumentInOnePiece() {
    SharedDocument document = open(Duration.ZERO, Duration.ZERO, 4);
    for (int i = 0; i < 10; i++) {
      int index = i;
      document.call(doc -> {
        doc.getText("t").insert(index, "" + index);
        return null;
      }).join();
      int writes = i + 1; // one update, one write (an append, or a replace once the pieces pile up)
      await().until(() -> store.appends.get() + store.replaces.get() >= writes);
    }
    await().until(() -> store.replaces.get() > 0);
    await().until(() -> storedText().equals("0123456789"));
    assertThat(store.inner.load(KEY).updateCount()).isLessThanOrEqualTo(5);
  }

  @Test
  void pastCompactAfter_aLargeDocumentIsEncodedWholeOnlyOnceAsMuchWasAppended_orAtEightTimesThePieces() {
    Doc large = Doc.create();
    large.getText("t").insert(0, "x".repeat(20_000)); // a stored state of ~20 KB, keystrokes of ~60 bytes each
    store.inner.append(KEY, large.encodeStateAsUpdate());
    SharedDocument document = open(Duration.ZERO, Duration.ZERO, 4);
    int maxPieces = 4 * StoreWriter.MAX_PIECES_FACTOR;
    for (int i = 1; i < maxPieces; i++) {
      type(document, i);
    }
    // 31 keystrokes weigh far less than the state: before, every one past the 4th encoded the whole document.
    assertThat(store.replaces.get()).isZero();
    assertThat(store.inner.load(KEY).updateCount()).isEqualTo(maxPieces);
    type(document, maxPieces); // one piece more than eight times compactAfter: compacted all the same
    await().until(() -> store.replaces.get() == 1);
    await().until(() -> store.inner.load(KEY).updateCount() == 1);
    assertThat(storedText()).isEqualTo("x".repeat(20_000) + "y".repeat(maxPieces));
  }

  /** Appends a {@code y} to the text and waits until the store has it (one update, one write). */
  private void type(SharedDocument document, int writes) {
    document.call(doc -> {
      doc.getText("t").insert(doc.getText("t").length(), "y");
      return null;
    }).join();
    await().until(() -> store.appends.get() + store.replaces.get() >= writes);
  }

  @Test
  void onLoad_mayGiveANewDocumentItsFirstContent_whichIsStored() {
    hooks.seed = "template";
    SharedDocument document = open(Duration.ofMillis(10), Duration.ofMillis(50), 100);
    FakePeer peer = new FakePeer();
    attach(document, peer, Permission.WRITE);
    assertThat(text(document)).isEqualTo("template");
    await().until(() -> store.appends.get() == 1);
  }

  @Test
  void lastRelease_unloadsAfterStoring_andCompacts() {
    SharedDocument document = open(Duration.ofSeconds(30), Duration.ofSeconds(30), 100);
    FakePeer peer = new FakePeer();
    DocumentSession session = attach(document, peer, Permission.WRITE);
    submit(document, session, new ClientMessage.Sync("plans", SyncMessage.UPDATE,
        insertUpdate(Doc.create(), 0, "a")));
    submit(document, session, new ClientMessage.Sync("plans", SyncMessage.UPDATE,
        insertUpdate(Doc.create(), 0, "b")));
    document.detach(session);
    await().until(() -> hooks.calls.contains("unload"));
    assertThat(runtime.registry().get(KEY)).isNull();
    assertThat(store.inner.load(KEY).updateCount()).isEqualTo(1);
    assertThat(hooks.calls).containsSubsequence("change", "store", "unload");
  }
}
