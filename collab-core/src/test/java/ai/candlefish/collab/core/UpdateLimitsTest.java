package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@link UpdateLimits} as {@link Doc#applyUpdate(byte[], Object, UpdateLimits)} enforces them, and deep documents. */
class UpdateLimitsTest {
  private static final int DEEP = 30_000;

  /**
   * The update of {@code depth} maps nested in each other under root map "m" (key "k" at each level), the innermost
   * holding leaf = "bottom": written directly, byte for byte what Yjs's {@code encodeStateAsUpdate} gives for the
   * same nest made with Y.Map (building it through the API would take minutes: each local insertion walks to the
   * root).
   */
  static byte[] nestUpdate(int depth) {
    long client = 7;
    Lib0Encoder out = new Lib0Encoder();
    out.writeVarUint(1); // one client
    out.writeVarUint(depth); // structs: depth - 1 nested maps and the leaf
    out.writeVarUint(client);
    out.writeVarUint(0); // first clock
    for (int clock = 0; clock < depth; clock++) {
      boolean leaf = clock == depth - 1;
      out.writeUint8((leaf ? Content.ANY : Content.TYPE) | Item.HAS_PARENT_SUB);
      if (clock == 0) {
        out.writeVarUint(1); // parent is a root, by name
        out.writeVarString("m");
      } else {
        out.writeVarUint(0); // parent is the type held by the previous item
        out.writeVarUint(client);
        out.writeVarUint(clock - 1);
      }
      out.writeVarString(leaf ? "leaf" : "k");
      if (leaf) {
        out.writeVarUint(1);
        out.writeAny("bottom");
      } else {
        out.writeVarUint(SharedType.MAP);
      }
    }
    out.writeVarUint(0); // no deletions
    return out.toByteArray();
  }

  /** The document {@link #nestUpdate} describes. */
  private static Doc nest(int depth) {
    Doc doc = Doc.newBuilder().clientId(7).build();
    doc.applyUpdate(nestUpdate(depth));
    return doc;
  }

  /** Runs {@code task} on a thread with a 256 KiB stack (a recursive walk of 30,000 levels needs megabytes). */
  private static <T> T onSmallStack(java.util.function.Supplier<T> task) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    Thread t = new Thread(null, () -> {
      try {
        result.complete(task.get());
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    }, "small-stack", 256 * 1024);
    t.start();
    t.join();
    return result.get();
  }

  @Test
  void nestUpdate_isWhatTheApiBuilds() {
    Doc built = Doc.newBuilder().clientId(7).build();
    YMap map = built.getMap("m");
    for (int i = 1; i < 50; i++) {
      YMap child = new YMap();
      map.set("k", child);
      map = child;
    }
    map.set("leaf", "bottom");
    assertThat(nestUpdate(50)).isEqualTo(built.encodeStateAsUpdate());
  }

  @Test
  void deepNest_overTheDepthLimit_isRefused_andChangesNothing() {
    byte[] update = nestUpdate(DEEP);
    Doc doc = Doc.create();
    doc.getText("t").insert(0, "kept");
    byte[] before = doc.encodeStateAsUpdate();
    assertThatThrownBy(() -> doc.applyUpdate(update, null, UpdateLimits.DEFAULTS))
        .isInstanceOfSatisfying(LimitExceededException.class,
            e -> assertThat(e.limit()).isEqualTo(LimitExceededException.Limit.DEPTH))
        .hasMessageContaining(UpdateLimits.DEFAULT_MAX_DEPTH + 1 + " levels deep")
        .hasMessageContaining(UpdateLimits.DEFAULT_MAX_DEPTH + " allowed");
    assertThat(doc.encodeStateAsUpdate()).isEqualTo(before);
    assertThat(doc.rootNames()).containsExactly("t");
  }

  @Test
  void depth_countsFromWhatTheDocumentHas_acrossUpdates() {
    Doc source = Doc.newBuilder().clientId(7).build();
    List<byte[]> levels = new ArrayList<>();
    source.onUpdate((u, o, t) -> levels.add(u));
    YMap map = source.getMap("m");
    for (int depth = 1; depth <= 5; depth++) {
      YMap child = new YMap();
      map.set("k", child); // a type at this depth, in an update of its own
      map = child;
    }
    UpdateLimits four = UpdateLimits.newBuilder().maxDepth(4).build();
    Doc doc = Doc.create();
    for (int i = 0; i < 4; i++) {
      doc.applyUpdate(levels.get(i), null, four);
    }
    byte[] before = doc.encodeStateAsUpdate();
    // The fifth level, sent on its own, sits under four levels the document already has.
    assertThatThrownBy(() -> doc.applyUpdate(levels.get(4), null, four)).isInstanceOf(LimitExceededException.class)
        .hasMessageContaining("5 levels deep");
    assertThat(doc.encodeStateAsUpdate()).isEqualTo(before);
    doc.applyUpdate(levels.get(4), null, UpdateLimits.newBuilder().maxDepth(5).build());
    assertThat(doc.getMap("m").toJson()).isEqualTo(source.getMap("m").toJson());
  }

  @Test
  void deepNest_underARaisedLimit_isWalkedWithoutRecursion() throws Exception {
    Doc doc = Doc.create();
    List<List<YEvent>> deepEvents = new ArrayList<>();
    doc.getMap("m").observeDeep(deepEvents::add);
    doc.applyUpdate(nestUpdate(DEEP), null, UpdateLimits.newBuilder().maxDepth(DEEP).build());

    assertThat(deepEvents).hasSize(1);
    assertThat(deepEvents.get(0)).hasSize(1); // a remote nest arrives whole: only the root's change is an event

    Map<String, Object> json = onSmallStack(doc::toJson);
    Object level = json.get("m");
    for (int i = 1; i < DEEP; i++) {
      level = ((Map<?, ?>) level).get("k");
    }
    assertThat(((Map<?, ?>) level).get("leaf")).isEqualTo("bottom");
    String text = onSmallStack(() -> doc.getMap("m").toString());
    assertThat(text).startsWith("{k={k={k=").endsWith("{leaf=bottom}" + "}".repeat(DEEP - 1));
    assertThat(onSmallStack(() -> Updates.stateVector(doc.encodeStateAsUpdate()).size())).isEqualTo(1);
  }

  @Test
  void oneChangeAtEveryLevel_ofADeepNest_givesEventsWithTheirPaths() {
    int depth = 2_000;
    Doc source = nest(depth);
    Doc doc = Doc.create();
    doc.applyUpdate(source.encodeStateAsUpdate());
    List<YEvent> seen = new ArrayList<>();
    doc.getMap("m").observeDeep(events -> {
      seen.addAll(events);
      // Sorted by path length, as Yjs sorts them.
      assertThat(events.get(0).path()).isEmpty();
      assertThat(events.get(events.size() - 1).path()).hasSize(depth - 1);
    });
    List<byte[]> updates = new ArrayList<>();
    source.onUpdate((u, o, t) -> updates.add(u));
    source.transact(txn -> {
      YMap map = source.getMap("m");
      for (int i = 0; i < depth; i++) {
        map.set("n", i);
        map = i < depth - 1 ? (YMap) map.get("k") : map;
      }
    });
    doc.applyUpdate(updates.get(0), null, UpdateLimits.DEFAULTS.toBuilder().maxDepth(depth).build());
    assertThat(seen).hasSize(depth);
    assertThat(doc.toJson()).isEqualTo(source.toJson());
  }

  @Test
  void documentSize_beyondTheLimit_isRefused() {
    Doc writer = Doc.create();
    List<byte[]> updates = new ArrayList<>();
    writer.onUpdate((u, o, t) -> updates.add(u));
    writer.getText("t").insert(0, "a".repeat(600));
    writer.getText("t").insert(0, "b".repeat(600));
    // 600 characters take ~1.2 KB of heap (UTF-16) and ~1.7 KB with their item, client and root type.
    UpdateLimits limits = UpdateLimits.newBuilder().maxDocumentBytes(3000).build();
    Doc doc = Doc.create();
    doc.applyUpdate(updates.get(0), null, limits);
    assertThatThrownBy(() -> doc.applyUpdate(updates.get(1), null, limits))
        .isInstanceOfSatisfying(LimitExceededException.class,
            e -> assertThat(e.limit()).isEqualTo(LimitExceededException.Limit.DOCUMENT_SIZE));
    assertThat(doc.getText("t").length()).isEqualTo(600);
    // A duplicate changes nothing and takes no room.
    for (int i = 0; i < 10; i++) {
      doc.applyUpdate(updates.get(0), null, UpdateLimits.NONE);
    }
    doc.applyUpdate(textUpdate(7, "c".repeat(100)), null, limits);
  }

  /** {@code n} subdocuments under keys "0", "1", ... of root map "m", guids "0", "1", ...: ~13 bytes each. */
  static byte[] subdocuments(int n) {
    Doc writer = Doc.create();
    for (int i = 0; i < n; i++) {
      writer.getMap("m").set(Integer.toString(i), Doc.newBuilder().guid(Integer.toString(i)).build());
    }
    return writer.encodeStateAsUpdate();
  }

  @Test
  void documentSize_ofAResendOfWhatTheDocumentHolds_takesNoRoom() {
    // A client sending again what arrived before (a reconnect resending what it had no acknowledgement of): it was
    // weighed in full, so a document more than half full refused what adds nothing. Only what it adds is weighed.
    UpdateLimits limits = UpdateLimits.newBuilder().maxDocumentBytes(1 << 20).build();
    byte[] subdocuments = subdocuments(500); // ~650 KB of heap
    Doc doc = Doc.create();
    doc.applyUpdate(subdocuments, null, limits);
    byte[] state = doc.encodeStateAsUpdate();
    assertThat(doc.applyUpdate(subdocuments, null, limits)).isTrue();
    assertThat(doc.applyUpdate(state, null, limits)).isTrue();
    Doc more = Doc.newBuilder().clientId(78).build();
    more.applyUpdate(state);
    more.getText("t").insert(0, "new");
    assertThat(doc.withoutClients(more.encodeStateAsUpdate(), List.of(77L), limits)).hasSizeLessThan(100);
    assertThat(doc.applyUpdate(more.encodeStateAsUpdate(), null, limits)).isTrue();
    assertThat(doc.getText("t").toString()).isEqualTo("new");
    assertThat(doc.getMap("m").size()).isEqualTo(500);
    // What is new is weighed as before.
    assertThatThrownBy(() -> doc.applyUpdate(subdocumentsOf(77, 500), null, limits))
        .isInstanceOfSatisfying(LimitExceededException.class,
            e -> assertThat(e.limit()).isEqualTo(LimitExceededException.Limit.DOCUMENT_SIZE));
    assertThat(doc.getMap("o").size()).isZero();
  }

  @Test
  void documentSize_aResendHeavierThanTheLimit_isRefusedAsItIsRead() {
    // What the document holds of a client may be cheap (2,000 deleted characters, collected) and the same clocks in
    // an update dear (2,000 subdocuments, ~2.6 MB): a "resend" weighs against the whole limit, and is not kept.
    UpdateLimits limits = UpdateLimits.newBuilder().maxDocumentBytes(1 << 20).build();
    Doc writer = Doc.newBuilder().clientId(9).build();
    writer.getText("t").insert(0, "x".repeat(2_000));
    writer.getText("t").delete(0, 2_000);
    Doc doc = Doc.create();
    doc.applyUpdate(writer.encodeStateAsUpdate(), null, limits);
    Lib0Encoder out = new Lib0Encoder();
    out.writeVarUint(1);
    out.writeVarUint(2_000);
    out.writeVarUint(9);
    out.writeVarUint(0);
    for (int i = 0; i < 2_000; i++) {
      out.writeUint8(Content.DOC | Item.HAS_PARENT_SUB);
      out.writeVarUint(1); // the parent is a root, by name
      out.writeVarString("m");
      out.writeVarString(Integer.toString(i)); // the key
      out.writeVarString(Integer.toString(i)); // the guid
      out.writeAny(Map.of());
    }
    out.writeVarUint(0);
    byte[] heavy = out.toByteArray();
    assertThatThrownBy(() -> doc.applyUpdate(heavy, null, limits))
        .isInstanceOfSatisfying(LimitExceededException.class,
            e -> assertThat(e.limit()).isEqualTo(LimitExceededException.Limit.DOCUMENT_SIZE))
        .hasMessageContaining("repeats");
    assertThat(doc.getMap("m").size()).isZero();
  }

  @Test
  void documentSize_countsTheHeapWhatAnUpdateBringsHolds_notOnlyItsBytes() {
    UpdateLimits limits = UpdateLimits.newBuilder().maxDocumentBytes(1 << 20).build();
    // 2,000 subdocuments in ~30 KB hold ~2.6 MB (a Doc each, ~1.3 KB): accepted before, as 30 KB is within 1 MiB.
    byte[] subdocuments = subdocuments(2_000);
    assertThat(subdocuments.length).isLessThan(40_000);
    Doc doc = Doc.create();
    assertThatThrownBy(() -> doc.applyUpdate(subdocuments, null, limits))
        .isInstanceOfSatisfying(LimitExceededException.class,
            e -> assertThat(e.limit()).isEqualTo(LimitExceededException.Limit.DOCUMENT_SIZE))
        .hasMessageContaining("memory");
    assertThat(doc.getMap("m").size()).isZero();
    // 20,000 empty maps in one item: 40 KB, ~1.8 MB of heap.
    Doc maps = Doc.create();
    maps.getArray("a").insert(0, java.util.Collections.nCopies(20_000, Map.of()));
    Doc other = Doc.create();
    assertThatThrownBy(() -> other.applyUpdate(maps.encodeStateAsUpdate(), null, limits))
        .isInstanceOf(LimitExceededException.class);
    // Within the limit, the same kinds are accepted.
    doc.applyUpdate(subdocuments(500), null, limits);
    assertThat(doc.getMap("m").size()).isEqualTo(500);
  }

  @Test
  void documentSize_ofKeystrokesMergedIntoOneItem_isWeighedAsWhatTheDocumentHolds() {
    // Each keystroke is an item on arrival (~160 bytes) and an update of ~25 bytes; typed in sequence, they merge
    // into one. 20,000 of them weigh 3.2 MB counted one by one, come in ~500 KB of updates, and hold ~40 KB.
    UpdateLimits limits = UpdateLimits.newBuilder().maxDocumentBytes(256 * 1024).build();
    Doc writer = Doc.create();
    Doc doc = Doc.create();
    long[] received = {0};
    writer.onUpdate((u, o, t) -> {
      received[0] += u.length;
      doc.applyUpdate(u, null, limits);
    });
    for (int i = 0; i < 20_000; i++) {
      writer.getText("t").insert(i, "k");
    }
    assertThat(doc.getText("t").length()).isEqualTo(20_000);
    assertThat(received[0]).isGreaterThan(256 * 1024);
  }

  @Test
  void documentSize_ofADocumentOpenForLong_countsWhatItHolds_notTheUpdatesThatPassedThrough() {
    // A document that stays loaded for long: a value set over and over by users who take turns, text typed and
    // deleted. ~500 KB of updates and ~3 MB weighed as they arrive, 32 KiB limit: what was overwritten or deleted is
    // collected, and what one writer wrote in a row merges.
    UpdateLimits limits = UpdateLimits.newBuilder().maxDocumentBytes(32 * 1024).build();
    Doc doc = Doc.create();
    long[] received = {0};
    List<Doc> writers = new ArrayList<>();
    for (int w = 0; w < 3; w++) {
      Doc writer = Doc.newBuilder().clientId(100 + w).build();
      writer.onUpdate((u, o, t) -> {
        if ("relay".equals(o)) {
          return;
        }
        received[0] += u.length;
        doc.applyUpdate(u, null, limits);
        writers.forEach(other -> {
          if (other != writer) {
            other.applyUpdate(u, "relay");
          }
        });
      });
      writers.add(writer);
    }
    for (int turn = 0; turn < 20; turn++) {
      Doc writer = writers.get(turn % writers.size());
      // What one writer overwrites in a row collapses into one collected item. (Keys overwritten in turn leave an
      // item each per overwrite, as in Yjs: ~200 bytes of heap each, which the document does hold.)
      for (int i = 0; i < 500; i++) {
        writer.getMap("totals").set("price", "EUR " + (turn * 500 + i));
      }
      for (int i = 0; i < 500; i++) {
        YText notes = writer.getText("notes");
        notes.insert(notes.length(), "wall ");
        if (notes.length() > 50) {
          notes.delete(0, 5);
        }
      }
    }
    assertThat(received[0]).as("bytes of updates received").isGreaterThan(10L * 32 * 1024);
    assertThat(doc.getMap("totals").get("price")).isEqualTo("EUR 9999");
    assertThat(doc.getText("notes").toString()).isEqualTo(writers.get(0).getText("notes").toString());
    // What genuinely holds more than the limit is still refused, and changes nothing.
    assertThatThrownBy(() -> doc.applyUpdate(subdocuments(100), null, limits))
        .isInstanceOf(LimitExceededException.class).hasMessageContaining("memory");
    assertThat(doc.getMap("m").size()).isZero();
    assertThatThrownBy(() -> doc.applyUpdate(textUpdate(7, "x".repeat(40_000)), null, limits))
        .isInstanceOf(LimitExceededException.class).hasMessageContaining("memory");
    assertThat(doc.getMap("totals").get("price")).isEqualTo("EUR 9999");
    assertThat(doc.getText("notes").toString()).isEqualTo(writers.get(0).getText("notes").toString());
  }

  @Test
  void documentSize_deletionsAreAccepted_whenTheDocumentHoldsMoreThanTheLimit() {
    // A stored document loads whatever a lowered limit says; deleting from it is how it gets back under the limit.
    Doc writer = Doc.create();
    writer.getText("t").insert(0, "x".repeat(40_000));
    Doc doc = Doc.create();
    doc.applyUpdate(writer.encodeStateAsUpdate(), "store");
    UpdateLimits limits = UpdateLimits.newBuilder().maxDocumentBytes(64 * 1024).build();
    assertThatThrownBy(() -> doc.applyUpdate(textUpdate(7, "y"), null, limits))
        .isInstanceOf(LimitExceededException.class);
    byte[] before = writer.encodeStateVector();
    writer.getText("t").delete(0, 39_000);
    doc.applyUpdate(writer.encodeStateAsUpdate(before), null, limits);
    assertThat(doc.getText("t").length()).isEqualTo(1_000);
    doc.applyUpdate(textUpdate(7, "y"), null, limits);
    assertThat(doc.getText("u").toString()).isEqualTo("y");
  }

  @Test
  void updateRefusedForItsWeight_allocatesAboutTheRoomTheDocumentHadLeft_notTheWholeLimit() {
    // A document 1 MiB short of its 16 MiB, and an update of 200,000 subdocuments (~2.6 MB, ~250 MB of heap):
    // before, it was decoded up to the whole limit (16 MiB of Docs) before it was refused; now up to the room left.
    long limit = 16 << 20;
    UpdateLimits limits = UpdateLimits.NONE.toBuilder().maxDocumentBytes(limit).build();
    Doc doc = Doc.create();
    doc.applyUpdate(subdocuments(10_500), null, limits); // ~15.8 MB of 16 MiB (~1.5 KB each)
    byte[] flood = subdocuments(200_000);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    assertThatThrownBy(() -> doc.applyUpdate(flood, null, limits)).isInstanceOf(LimitExceededException.class);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertThat(allocated).as("bytes allocated while refusing").isLessThan(6L << 20);
    assertThat(doc.getMap("m").size()).isEqualTo(10_500);
    // Room that merges and collections freed is found again: a document weighed high is weighed anew.
    Doc typed = Doc.create();
    Doc writer = Doc.create();
    writer.onUpdate((u, o, t) -> typed.applyUpdate(u, null, UpdateLimits.NONE.toBuilder().maxDocumentBytes(1 << 20)
        .build()));
    for (int i = 0; i < 20_000; i++) {
      writer.getText("t").insert(i, "k"); // weighed ~160 bytes each on arrival (3.2 MB), ~40 KB merged
    }
    assertThat(typed.getText("t").length()).isEqualTo(20_000);
  }

  @Test
  void withoutClients_refusedForItsWeight_allocatesAboutTheRoomTheDocumentHadLeft_notTheWholeUpdate() {
    // A server drops the structs of other users' client ids from a step 2 (Doc.withoutClients): 200,000 subdocument
    // references of such an id (~2.6 MB, ~250 MB decoded) were decoded whole first (seconds of the document's
    // thread for a 16 MiB message); now within the room the document has left, as applyUpdate decodes.
    long limit = 16 << 20;
    UpdateLimits limits = UpdateLimits.NONE.toBuilder().maxDocumentBytes(limit).build();
    Doc doc = Doc.create();
    doc.applyUpdate(subdocuments(10_500), null, limits); // ~15.8 MB of 16 MiB
    byte[] flood = subdocumentsOf(77, 200_000);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    assertThatThrownBy(() -> doc.withoutClients(flood, List.of(77L), limits))
        .isInstanceOfSatisfying(LimitExceededException.class,
            e -> assertThat(e.limit()).isEqualTo(LimitExceededException.Limit.DOCUMENT_SIZE));
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertThat(allocated).as("bytes allocated while refusing").isLessThan(6L << 20);
    // Within the room: what Updates.withoutClients gives, and the document unchanged.
    Doc mixed = Doc.newBuilder().clientId(78).build();
    mixed.getText("t").insert(0, "mine");
    mixed.applyUpdate(subdocumentsOf(77, 3));
    byte[] update = mixed.encodeStateAsUpdate();
    assertThat(doc.withoutClients(update, List.of(77L), limits)).isEqualTo(Updates.withoutClients(update,
        List.of(77L)));
    assertThat(doc.getMap("m").size()).isEqualTo(10_500);
    assertThat(doc.getText("t").length()).isZero();
  }

  @Test
  void withoutClients_ofADocumentNoLimitWasAskedOfYet_weighsWhatItHolds_asApplyUpdateDoes() {
    // A document loaded without a limit is not weighed; the first withoutClients under one weighs it, so the room is
    // what it has left (~0.2 MiB here), not the whole limit.
    UpdateLimits limits = UpdateLimits.NONE.toBuilder().maxDocumentBytes(16 << 20).build();
    Doc doc = Doc.create();
    doc.applyUpdate(subdocuments(10_500)); // ~15.8 MB by the estimate, unweighed
    assertThatThrownBy(() -> doc.withoutClients(subdocumentsOf(77, 2_000), List.of(77L), limits))
        .isInstanceOf(LimitExceededException.class);
    byte[] small = subdocumentsOf(77, 3);
    assertThat(doc.withoutClients(small, List.of(77L), limits)).isEqualTo(Updates.withoutClients(small,
        List.of(77L)));
  }

  private static byte[] subdocumentsOf(long client, int n) {
    Doc writer = Doc.newBuilder().clientId(client).build();
    for (int i = 0; i < n; i++) {
      writer.getMap("o").set(Integer.toString(i), Doc.newBuilder().guid("o" + i).build());
    }
    return writer.encodeStateAsUpdate();
  }

  /**
   * {@code n} items of {@code client} from clock {@code first} on, each a deleted item of length 1 whose origin is
   * {@code 1:0}, a struct no update ever brings: 4 bytes each in v1, and a few bytes for all of them in v2 (same kind,
   * same origin, same length), the format waiting structs are weighed in.
   */
  static byte[] waitingItems(long client, int first, int n) {
    Lib0Encoder out = new Lib0Encoder();
    out.writeVarUint(1);
    out.writeVarUint(n);
    out.writeVarUint(client);
    out.writeVarUint(first);
    for (int i = 0; i < n; i++) {
      out.writeUint8(Item.HAS_ORIGIN | Content.DELETED);
      out.writeVarUint(1); // origin 1:0
      out.writeVarUint(0);
      out.writeVarUint(1); // length
    }
    out.writeVarUint(0);
    return out.toByteArray();
  }

  /** Deletions of clock 0 of {@code n} clients from {@code firstClient} on, which never sent anything. */
  static byte[] waitingDeletions(long firstClient, int n) {
    Lib0Encoder out = new Lib0Encoder();
    out.writeVarUint(0);
    out.writeVarUint(n);
    for (int i = 0; i < n; i++) {
      out.writeVarUint(firstClient + i);
      out.writeVarUint(1);
      out.writeVarUint(0);
      out.writeVarUint(1);
    }
    return out.toByteArray();
  }

  @Test
  void pendingBytes_weighsEachWaitingStruct_notOnlyTheirEncodedSize() {
    Doc doc = Doc.create();
    doc.applyUpdate(waitingItems(2, 0, 100_000));
    assertThat(doc.hasPendingUpdates()).isTrue();
    // ~10 MiB of heap: before, they weighed the ~20 bytes they take in v2
    assertThat(doc.pendingBytes()).isGreaterThanOrEqualTo(100_000L * Pending.STRUCT_WEIGHT);
  }

  @Test
  void pendingBytes_weighsEachClientOfWaitingDeletions() {
    Doc doc = Doc.create();
    doc.applyUpdate(waitingDeletions(1000, 10_000));
    assertThat(doc.hasPendingUpdates()).isTrue();
    // before: 16 bytes a client, for an entry of ~100 bytes
    assertThat(doc.pendingBytes()).isGreaterThanOrEqualTo(10_000L * (Pending.DELETE_CLIENT_WEIGHT + 8));
  }

  @Test
  void pendingBeyondTheLimit_isDropped_whatIntegratesIsKept_andWhatWaitedStays() {
    UpdateLimits limits = UpdateLimits.newBuilder().maxPendingBytes(1 << 20).build();
    Doc writer = Doc.newBuilder().clientId(3).build();
    List<byte[]> edits = new ArrayList<>();
    writer.onUpdate((u, o, t) -> edits.add(u));
    writer.getText("t").insert(0, "first ");
    writer.getText("t").insert(6, "second");
    Doc doc = Doc.create();

    // An honest edit and 300,000 waiting structs (~31 MiB of heap) in one update: the edit is integrated, the
    // waiting part dropped, and the caller told.
    assertThat(doc.applyUpdate(Updates.merge(List.of(textUpdate(9, "ok"), waitingItems(2, 0, 300_000))), null,
        limits)).isFalse();
    assertThat(doc.getText("u").toString()).isEqualTo("ok");
    assertThat(doc.hasPendingUpdates()).isFalse();
    assertThat(doc.stateVector().get(2)).isZero();

    // Within the limit, what waits is kept as before; beyond it, more is dropped but what waited stays.
    assertThat(doc.applyUpdate(edits.get(1), null, limits)).isTrue();
    long waiting = doc.pendingBytes();
    assertThat(waiting).isPositive();
    assertThat(doc.applyUpdate(waitingItems(2, 0, 300_000), null, limits)).isFalse();
    assertThat(doc.applyUpdate(waitingDeletions(1000, 20_000), null, limits)).isFalse();
    assertThat(doc.pendingBytes()).isEqualTo(waiting);
    // A few waiting structs still fit.
    assertThat(doc.applyUpdate(waitingItems(4, 0, 10), null, limits)).isTrue();
    assertThat(doc.pendingBytes()).isGreaterThan(waiting);

    // The missing edit arrives: what waited is integrated.
    assertThat(doc.applyUpdate(edits.get(0), null, limits)).isTrue();
    assertThat(doc.getText("t").toString()).isEqualTo("first second");
    DocInvariants.check(doc, false);
  }

  private static byte[] textUpdate(long client, String text) {
    Doc doc = Doc.newBuilder().clientId(client).build();
    doc.getText("u").insert(0, text);
    return doc.encodeStateAsUpdate();
  }

  @Test
  void builder_rejectsBadValues_namingThem() {
    assertThatThrownBy(() -> UpdateLimits.newBuilder().maxDepth(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxDepth").hasMessageContaining("0");
    assertThatThrownBy(() -> UpdateLimits.newBuilder().maxDocumentBytes(0)).hasMessageContaining("maxDocumentBytes");
    assertThatThrownBy(() -> UpdateLimits.newBuilder().maxPendingBytes(-1)).hasMessageContaining("-1");
  }
}
