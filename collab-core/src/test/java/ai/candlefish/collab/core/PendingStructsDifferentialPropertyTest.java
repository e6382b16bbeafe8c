package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Structs that wait for missing dependencies behave as in Yjs at every step, not only once everything arrived: random
 * updates of several clients (edits, catch-up syncs that carry collected structs, merges of random subsets, tails)
 * reach a Java doc and its Yjs twin in the same random order, with duplicates and with some updates held back to the
 * end, so that long chains wait and are released later, partly or whole. After every message both sides agree on the
 * update events, the observer events and transaction hooks (state before and after, deletions, changed types), the
 * encoded state in v1 and v2 (everything, and against a writer's state vector: Yjs appends what waits through
 * mergeUpdates), the state vector, whether something waits, and the content.
 *
 * <p>Seeded; a failure names its seed ({@code -Dpending.structs.seed=<seed> -Dpending.structs.runs=1} reruns it).
 */
@ExtendWith(YjsPeerExtension.class)
class PendingStructsDifferentialPropertyTest {
  private static final Map<String, String> ROOTS = new LinkedHashMap<>();

  static {
    ROOTS.put("t", "text");
    ROOTS.put("a", "array");
    ROOTS.put("m", "map");
    ROOTS.put("x", "xml");
  }

  private static YjsPeer peer; // started and closed by YjsPeerExtension
  /** Messages after which structs waited, and messages that released waiting structs: the test must see both. */
  private static int waitingSteps;
  private static int releasingSteps;

  @Test
  void applyUpdate_gapsAndDuplicatesInRandomOrder_matchYjsAfterEveryMessage() {
    SeededRuns runs = SeededRuns.named("pending.structs", 0x9e4d_5eedL, 40);
    runs.forEach((seed, run) -> run(seed, false));
    assertThat(waitingSteps).as("messages that left structs waiting").isGreaterThan(runs.count());
    assertThat(releasingSteps).as("messages that released waiting structs").isGreaterThan(runs.count() / 4);
  }

  /**
   * The same with subdocuments: writers set and insert references with random options (gc, autoLoad, shouldLoad,
   * meta, and options Yjs does not write itself, such as collectionid, in references from Yjs docs), which arrive out
   * of order, in v1 and v2, merged and again. After every message also the subdocuments and their options and the
   * subdocs events must be Yjs's.
   */
  @Test
  void applyUpdate_subdocumentReferencesOutOfOrder_matchYjsAfterEveryMessage() {
    SeededRuns.named("pending.subdocs", 0x5bd0_c5L, 20).forEach((seed, run) -> run(seed, true));
  }

  /**
   * Seeds from longer searches that found the waiting structs differing from Yjs's: 141525462 (a rest starting at the
   * clock where a waiting struct starts: the rest's reader comes first in Yjs's merge, having reached the client
   * last), 141530364 (a waiting run touching the next one where the rest starts: Yjs writes through both without
   * sorting its readers again), 200003742 (a retry that integrates the first struct of a run with an offset, which
   * moves that struct's clock: the run was still filed under the old one).
   */
  @Test
  void applyUpdate_seedsThatFoundBugs_matchYjs() {
    for (long seed : new long[] {141525462L, 141530364L, 200003742L}) {
      run(seed, false);
    }
  }

  /**
   * Two waiting updates whose collected ranges meet: Yjs's merge joins the GCs into one, which its encoded state then
   * shows. Client 5's structs wait for client 3's first struct; the first update ends with the collected children of
   * one map, the second starts with those of another.
   */
  @Test
  void applyUpdate_waitingCollectedRangesThatMeet_areJoinedAsInYjs() {
    Doc d = Doc.newBuilder().clientId(3).build();
    d.getArray("a").insert(0, List.of("q"));
    byte[] first = d.encodeStateAsUpdate();
    Doc c = Doc.newBuilder().clientId(5).build();
    c.applyUpdate(first);
    c.getArray("a").insert(1, List.of(new YMap(), new YMap()));
    YMap a = (YMap) c.getArray("a").get(1);
    YMap b = (YMap) c.getArray("a").get(2);
    a.set("x", 1);
    a.set("y", 2);
    c.getArray("a").delete(1);
    byte[] onlyClient3 = Doc.newBuilder().clientId(9).build().encodeStateVector();
    Doc probe = Doc.create();
    probe.applyUpdate(first);
    byte[] svOf3 = probe.encodeStateVector();
    byte[] upToMapB = c.encodeStateAsUpdate(svOf3);
    byte[] svBeforeB = c.encodeStateVector();
    b.set("z", 3);
    b.set("w", 4);
    c.getArray("a").delete(1);
    byte[] fromB = Updates.diff(c.encodeStateAsUpdate(), svBeforeB);
    String id = "pending-structs-meeting-gcs";
    Doc target = Doc.newBuilder().clientId(999_999).build();
    List<Object> events = new ArrayList<>();
    List<Object> log = new ArrayList<>();
    List<byte[]> updateEvents = new ArrayList<>();
    target.onUpdate((bytes, origin, txn) -> updateEvents.add(bytes.clone()));
    target.getArray("a").observeDeep(list -> list.forEach(e -> events.add(YjsSurfacePropertyTest.describe(e))));
    target.onAfterTransactionCleanup(t -> log.add(List.of("afterTransactionCleanup",
        YjsSurfacePropertyTest.describeCleanup(t))));
    peer.newDoc(id, 999_999, true, Map.of("a", "array"), true);
    try {
      for (byte[] u : List.of(upToMapB, fromB, fromB, first)) {
        target.applyUpdate(u);
        peer.applyUpdate(id, u, false);
        compare(id, target, "scripted message", updateEvents, events, log, onlyClient3, Map.of("a", "array"));
      }
    } finally {
      peer.drop(id);
    }
  }

  /**
   * Duplicates and overlapping slices of the middle of a long waiting run: only the structs they overlap are merged
   * again (not the whole run), and what Yjs shows after each is unchanged. Client 5's inserts wait for client 3's
   * first struct; its single inserts, a diff from the middle and a merge of two of them arrive again before it.
   */
  @Test
  void applyUpdate_duplicatesInTheMiddleOfAWaitingRun_areMergedAsInYjs() {
    Doc d = Doc.newBuilder().clientId(3).build();
    d.getText("t").insert(0, "q");
    byte[] first = d.encodeStateAsUpdate();
    Doc c = Doc.newBuilder().clientId(5).build();
    c.applyUpdate(first);
    List<byte[]> singles = new ArrayList<>();
    List<byte[]> vectors = new ArrayList<>();
    c.onUpdate((u, o, t) -> singles.add(u));
    for (int i = 0; i < 24; i++) {
      vectors.add(c.encodeStateVector());
      c.getText("t").insert(i % 3 == 0 ? 0 : c.getText("t").length(), i % 2 == 0 ? "ab" : "c");
      if (i % 7 == 6) {
        c.getText("t").delete(1, 2);
      }
    }
    Doc probe = Doc.create();
    probe.applyUpdate(first);
    byte[] whole = c.encodeStateAsUpdate(probe.encodeStateVector());
    byte[] onlyClient3 = Doc.newBuilder().clientId(9).build().encodeStateVector();
    List<byte[]> messages = new ArrayList<>(List.of(whole, singles.get(10), singles.get(11), singles.get(0),
        singles.get(singles.size() - 1), Updates.diff(whole, vectors.get(12)),
        Updates.merge(List.of(singles.get(4), singles.get(15))), whole, first));
    String id = "pending-structs-middle-duplicates";
    Doc target = Doc.newBuilder().clientId(999_999).build();
    List<Object> events = new ArrayList<>();
    List<Object> log = new ArrayList<>();
    List<byte[]> updateEvents = new ArrayList<>();
    target.onUpdate((bytes, origin, txn) -> updateEvents.add(bytes.clone()));
    target.getText("t").observeDeep(list -> list.forEach(e -> events.add(YjsSurfacePropertyTest.describe(e))));
    target.onAfterTransactionCleanup(t -> log.add(List.of("afterTransactionCleanup",
        YjsSurfacePropertyTest.describeCleanup(t))));
    peer.newDoc(id, 999_999, true, Map.of("t", "text"), true);
    try {
      for (byte[] u : messages) {
        target.applyUpdate(u);
        peer.applyUpdate(id, u, false);
        compare(id, target, "scripted message", updateEvents, events, log, onlyClient3, Map.of("t", "text"));
      }
    } finally {
      peer.drop(id);
    }
  }

  /** With {@code subdocs}, writers also make subdocument references, and Yjs docs add some (see above). */
  private static void run(long seed, boolean subdocs) {
    SplittableRandom rnd = new SplittableRandom(seed);
    RandomEdits edits = new RandomEdits(rnd, true);
    boolean gc = rnd.nextInt(3) != 0;
    int n = 2 + rnd.nextInt(3);
    List<Doc> writers = new ArrayList<>();
    List<byte[]> updates = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Doc d = Doc.newBuilder().clientId(1 + rnd.nextInt(1000) * 8L + i).gc(gc).build();
      ROOTS.forEach((name, kind) -> root(d, name));
      d.onUpdate((u, o, t) -> updates.add(u));
      writers.add(d);
    }
    List<byte[]> extra = new ArrayList<>();
    // per writer, the state vector its last interval update started from: consecutive intervals meet, and where
    // both ends were deleted and collected, two waiting GCs of different updates touch (Yjs's merge joins them)
    byte[][] intervalStart = new byte[n][];
    for (int i = 0; i < n; i++) {
      intervalStart[i] = writers.get(i).encodeStateVector();
    }
    for (int step = 0, steps = 30 + rnd.nextInt(60); step < steps; step++) {
      int w = rnd.nextInt(n);
      Doc d = writers.get(w);
      if (subdocs && rnd.nextInt(5) == 0) {
        YjsSurfacePropertyTest.applySurfaceOp(d, subdocOp(rnd, d));
        continue;
      }
      int dice = rnd.nextInt(20);
      if (dice == 0) {
        d.transact(txn -> {
          for (int i = 2 + rnd.nextInt(3); i > 0; i--) {
            YjsInterop.apply(d, edits.randomOp(d));
          }
        });
      } else if (dice <= 2) {
        // a peer catches up: its update event carries others' structs (collected ones as GC structs)
        Doc other = writers.get(rnd.nextInt(n));
        other.applyUpdate(d.encodeStateAsUpdate(other.encodeStateVector()));
      } else if (dice == 3) {
        extra.add(d.encodeStateAsUpdate(writers.get(rnd.nextInt(n)).encodeStateVector()));
      } else if (dice == 4 && !updates.isEmpty()) {
        List<byte[]> subset = new ArrayList<>();
        for (int k = 2 + rnd.nextInt(4); k > 0; k--) {
          subset.add(updates.get(rnd.nextInt(updates.size())));
        }
        extra.add(Updates.merge(subset));
      } else if (dice == 5 && !updates.isEmpty()) {
        byte[] u = updates.get(rnd.nextInt(updates.size()));
        extra.add(Updates.diff(u, writers.get(rnd.nextInt(n)).encodeStateVector()));
      } else if (dice <= 8) {
        extra.add(d.encodeStateAsUpdate(intervalStart[w]));
        intervalStart[w] = d.encodeStateVector();
      } else {
        YjsInterop.apply(d, edits.randomOp(d));
      }
    }
    if (subdocs) {
      for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("op", "subdocUpdate");
        c.put("client", 900_000 + k);
        c.put("name", "m");
        c.put("key", "s" + rnd.nextInt(3));
        c.put("guid", "y" + rnd.nextInt(3));
        c.put("opts", YjsInterop.toTagged(SubdocDifferentialPropertyTest.randomOptions(rnd)));
        extra.add(YjsInterop.fromBase64(peer.request(c).get("update")));
      }
    }
    List<byte[]> all = new ArrayList<>(updates);
    all.addAll(extra);
    for (int i = rnd.nextInt(all.size() / 3 + 1); i > 0; i--) {
      all.add(all.get(rnd.nextInt(all.size())));
    }
    Collections.shuffle(all, new java.util.Random(rnd.nextLong()));
    // Holding some back to the end makes chains wait long, and then releases them in one message.
    List<byte[]> delivery = new ArrayList<>();
    List<byte[]> held = new ArrayList<>();
    int holdPercent = rnd.nextInt(40);
    for (byte[] u : all) {
      (rnd.nextInt(100) < holdPercent ? held : delivery).add(u);
    }
    delivery.addAll(held);
    List<byte[]> stateVectors = new ArrayList<>();
    for (Doc w : writers) {
      stateVectors.add(w.encodeStateVector());
    }

    String id = "pending-structs-" + seed;
    Doc target = Doc.newBuilder().clientId(999_999).gc(gc).build();
    List<Object> events = new ArrayList<>();
    List<Object> log = new ArrayList<>();
    List<byte[]> updateEvents = new ArrayList<>();
    for (String name : ROOTS.keySet()) {
      root(target, name).observeDeep(list -> list.forEach(e -> events.add(YjsSurfacePropertyTest.describe(e))));
    }
    target.onUpdate((bytes, origin, txn) -> updateEvents.add(bytes.clone()));
    target.onAfterTransactionCleanup(t -> log.add(List.of("afterTransactionCleanup",
        YjsSurfacePropertyTest.describeCleanup(t))));
    if (subdocs) {
      target.onSubdocs(e -> log.add(List.of("subdocs", Map.of("loaded", guids(e.loaded()), "added",
          guids(e.added()), "removed", guids(e.removed())))));
    }
    peer.newDoc(id, 999_999, gc, ROOTS, true);
    try {
      for (int i = 0; i < delivery.size(); i++) {
        String at = "message " + i + " of " + delivery.size();
        boolean v2 = rnd.nextBoolean();
        long waitingBefore = target.store.pending.structCount();
        byte[] u = v2 ? Updates.convertV1ToV2(delivery.get(i)) : delivery.get(i);
        if (v2) {
          target.applyUpdateV2(u);
        } else {
          target.applyUpdate(u);
        }
        peer.applyUpdate(id, u, v2);
        long waiting = target.store.pending.structCount();
        waitingSteps += waiting > 0 ? 1 : 0;
        releasingSteps += waiting < waitingBefore ? 1 : 0;
        compare(id, target, at, updateEvents, events, log, stateVectors.get(rnd.nextInt(n)), ROOTS);
        if (subdocs) {
          SubdocDifferentialPropertyTest.compareSubdocList(peer, id, target, "after " + at);
        }
      }
      DocInvariants.check(target);
    } finally {
      peer.drop(id);
    }
  }

  private static void compare(String id, Doc target, String at, List<byte[]> updateEvents, List<Object> events,
      List<Object> log, byte[] someStateVector, Map<String, String> roots) {
    TwinReplica.assertSameEvents(at, new ArrayList<>(updateEvents), peer.updates(id));
    updateEvents.clear();
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("op", "events");
    c.put("id", id);
    assertThat(YjsSurfacePropertyTest.normalized(new ArrayList<>(events))).as("observer events after %s", at)
        .isEqualTo(peer.request(c).get("events"));
    events.clear();
    c = new LinkedHashMap<>();
    c.put("op", "log");
    c.put("id", id);
    List<Object> yjsCleanups = new ArrayList<>();
    for (Object entry : (List<?>) peer.request(c).get("log")) {
      if (entry instanceof List<?> l && ("afterTransactionCleanup".equals(l.get(0)) || "subdocs".equals(l.get(0)))) {
        yjsCleanups.add(entry);
      }
    }
    assertThat(YjsSurfacePropertyTest.normalized(new ArrayList<>(log))).as("transactions after %s", at)
        .isEqualTo(yjsCleanups);
    log.clear();
    assertThat(target.hasPendingUpdates()).as("pending after %s", at).isEqualTo(peer.hasPending(id));
    assertThat(YjsInterop.base64(target.encodeStateVector())).as("state vector after %s", at)
        .isEqualTo(YjsInterop.base64(peer.encodeStateVector(id)));
    assertThat(YjsInterop.base64(target.encodeStateAsUpdate())).as("state (v1) after %s", at)
        .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(id, null, false)));
    assertThat(YjsInterop.base64(target.encodeStateAsUpdateV2())).as("state (v2) after %s", at)
        .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(id, null, true)));
    assertThat(YjsInterop.base64(target.encodeStateAsUpdate(someStateVector))).as("diff (v1) after %s", at)
        .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(id, someStateVector, false)));
    assertThat(YjsInterop.base64(target.encodeStateAsUpdateV2(someStateVector))).as("diff (v2) after %s", at)
        .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(id, someStateVector, true)));
    Map<String, Object> yjs = peer.snapshot(id, roots);
    assertThat(YjsInterop.rootDifferences(target, new LinkedHashMap<>(roots), YjsInterop.asMap(yjs.get("values")),
        YjsInterop.asMap(yjs.get("deltas")))).as("content after %s", at).isEmpty();
  }

  /** A subdocument reference set in map m or inserted into array a, with random options; or one loaded. */
  private static Map<String, Object> subdocOp(SplittableRandom rnd, Doc doc) {
    Map<String, Object> op = new LinkedHashMap<>();
    boolean inArray = rnd.nextInt(3) == 0;
    op.put("name", inArray ? "a" : "m");
    if (inArray) {
      op.put("index", rnd.nextInt(doc.getArray("a").length() + 1));
    } else {
      op.put("key", "s" + rnd.nextInt(3));
    }
    if (rnd.nextInt(5) == 0) {
      op.put("op", "subdocLoad");
      return op;
    }
    op.put("op", inArray ? "subdocInsert" : "subdocSet");
    YjsSurfacePropertyTest.putSubdocOptions(rnd, op);
    return op;
  }

  private static List<String> guids(java.util.Set<Doc> docs) {
    return docs.stream().map(Doc::guid).toList();
  }

  private static SharedType root(Doc doc, String name) {
    return switch (ROOTS.get(name)) {
      case "text" -> doc.getText(name);
      case "array" -> doc.getArray(name);
      case "map" -> doc.getMap(name);
      default -> doc.getXmlFragment(name);
    };
  }
}
