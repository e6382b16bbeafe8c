package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Subdocuments against real Yjs, where {@link YjsSurfacePropertyTest}'s random sessions do not reach.
 *
 * <p>References whose options Yjs did not write itself. Yjs writes only {@code gc},
 * {@code autoLoad} and {@code meta}, but reads any object (other implementations write {@code shouldLoad},
 * {@code encoding}, {@code collectionid}...): it spreads it into {@code new Doc({guid, ...opts})} and keeps the
 * options that Doc took, so every later encoding (the document's state, merged, diffed and converted updates)
 * writes those, a {@code guid} option renames the subdocument, and an undefined option is the default. Random
 * options in random key order, from a Yjs doc whose reference was given them; the Java side must read the same
 * subdocument and write the same bytes as a Yjs doc that applied them.
 *
 * <p>Seeded; a failure names its seed ({@code -Dyjs.subdocopts.seed=<seed> -Dyjs.subdocopts.runs=1} reruns it).
 */
@ExtendWith(YjsPeerExtension.class)
class SubdocDifferentialPropertyTest {
  private static final int RUNS = 150;
  private static final long BUDGET_MILLIS = 8_000;
  private static final List<String> KEYS =
      List.of("gc", "autoLoad", "shouldLoad", "meta", "guid", "collectionid", "encoding", "extra");
  private static final Map<String, String> ROOTS = Map.of("m", "map");

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  @Test
  void randomOptions_readAndWrittenAsYjs() {
    SeededRuns.named("yjs.subdocopts", 0x5D0C_0975L, RUNS).within(BUDGET_MILLIS)
        .forEach((seed, run) -> check(seed, randomOptions(new SplittableRandom(seed))));
  }

  @Test
  void optionsOtherImplementationsWrite_areDroppedAsYjsDrops() {
    // A yrs-style reference: every flag written out, plus keys Yjs does not know.
    Map<String, Object> opts = new LinkedHashMap<>();
    opts.put("gc", true);
    opts.put("encoding", 1);
    opts.put("autoLoad", false);
    opts.put("shouldLoad", true);
    opts.put("collectionid", "books");
    check(1, opts);
    // A guid option renames the subdocument; an undefined gc or meta is the default (gc on, no meta).
    opts = new LinkedHashMap<>();
    opts.put("meta", Undefined.INSTANCE);
    opts.put("guid", "renamed");
    opts.put("gc", Undefined.INSTANCE);
    check(2, opts);
    // Yjs spreads whatever the options are: a value that is not an object gives none (null fails in both).
    long seed = 3;
    for (Object notAnObject : List.of(5, "ab", List.of(1, 2), true, new byte[] {1})) {
      check(seed++, notAnObject);
    }
  }

  @Test
  void cloneOfATypeHoldingASubdocument_insertsTheSameInstanceAsYjs() {
    // Yjs's clone() keeps a subdocument value as it is: inserting the clone integrates the same Doc a second time
    // (it belongs to the new place from then on; the subdocs event adds and loads it again). Each op below is one
    // transaction on both sides: update bytes, subdocs events and getSubdocs() after each, then the whole state.
    String id = "subdocclone";
    Doc doc = Doc.newBuilder().clientId(9).build();
    List<Object> events = new ArrayList<>();
    doc.onSubdocs(e -> events.add(List.of(guids(e.loaded()), guids(e.added()), guids(e.removed()))));
    List<byte[]> updates = new ArrayList<>();
    doc.onUpdate((u, origin, txn) -> updates.add(u.clone()));
    peer.newDoc(id, 9, true, ROOTS, true);
    List<Map<String, Object>> ops = List.of(
        Map.of("op", "mapSetType", "name", "m", "key", "k", "kind", "map"),
        Map.of("op", "subdocNested", "name", "m", "key", "k", "guid", "g1"),
        Map.of("op", "cloneSet", "name", "m", "key", "k", "to", "k2"),
        Map.of("op", "mapDelete", "name", "m", "key", "k"),
        Map.of("op", "cloneSet", "name", "m", "key", "k2", "to", "k3"),
        Map.of("op", "mapDelete", "name", "m", "key", "k3"));
    try {
      for (Map<String, Object> op : ops) {
        if (!YjsSurfacePropertyTest.applySurfaceOp(doc, op)) {
          YjsInterop.apply(doc, op);
        }
        peer.apply(id, op);
        assertThat(updates.stream().map(YjsInterop::base64).toList()).as("update events of %s", op)
            .isEqualTo(peer.updates(id).stream().map(YjsInterop::base64).toList());
        updates.clear();
        compareSubdocs(id, doc, events, "after " + op);
      }
      assertThat(YjsInterop.base64(doc.encodeStateAsUpdate()))
          .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(id, null)));
    } finally {
      peer.drop(id);
    }
  }

  /** Random options of a subdocument reference, as another implementation may write them. */
  static Map<String, Object> randomOptions(SplittableRandom rnd) {
    List<String> keys = new ArrayList<>(KEYS);
    Map<String, Object> opts = new LinkedHashMap<>();
    for (int n = rnd.nextInt(5); n > 0; n--) {
      String key = keys.remove(rnd.nextInt(keys.size()));
      Object value = switch (key) {
        // An undefined guid gives the subdocument a random one (in Yjs too): nothing to compare.
        case "guid" -> List.of("g2", "", "g1").get(rnd.nextInt(3));
        case "collectionid" -> rnd.nextBoolean() ? "c" : rnd.nextBoolean() ? null : Undefined.INSTANCE;
        default -> randomValue(rnd);
      };
      opts.put(key, value);
    }
    return opts;
  }

  private static Object randomValue(SplittableRandom rnd) {
    return switch (rnd.nextInt(11)) {
      case 0 -> true;
      case 1 -> false;
      case 2 -> 0;
      case 3 -> 1;
      case 4 -> "";
      case 5 -> "x";
      case 6 -> null;
      case 7 -> Undefined.INSTANCE;
      case 8 -> 0.5;
      case 9 -> List.of(1, "a");
      default -> Map.of("k", false);
    };
  }

  /** The update of a Yjs doc whose map m holds a subdocument reference carrying {@code opts}, read both ways. */
  private static void check(long seed, Object opts) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("op", "subdocUpdate");
    c.put("client", 7);
    c.put("name", "m");
    c.put("key", "s");
    c.put("guid", "g1");
    c.put("opts", YjsInterop.toTagged(opts));
    byte[] update = YjsInterop.fromBase64(peer.request(c).get("update"));
    String what = "options " + YjsInterop.describe(opts);
    String id = "subdocopts-" + seed;
    Doc doc = Doc.newBuilder().clientId(9).build();
    List<Object> events = new ArrayList<>();
    doc.onSubdocs(e -> events.add(List.of(guids(e.loaded()), guids(e.added()), guids(e.removed()))));
    peer.newDoc(id, 9, true, ROOTS, true);
    try {
      doc.applyUpdate(update);
      peer.applyUpdate(id, update);
      assertThat(YjsInterop.base64(doc.encodeStateAsUpdate())).as("state after %s", what)
          .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(id, null)));
      assertThat(YjsInterop.base64(doc.encodeStateAsUpdateV2())).as("v2 state after %s", what)
          .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(id, null, true)));
      compareSubdocs(id, doc, events, "after " + what);
    } finally {
      peer.drop(id);
    }
    // The update algebra reads and writes the reference the same way, without a document.
    byte[] other = {0, 0}; // an empty update, so that merging has two
    assertThat(YjsInterop.base64(Updates.merge(List.of(update, other)))).as("mergeUpdates of %s", what)
        .isEqualTo(YjsInterop.base64(peer.mergeUpdates(List.of(update, other))));
    byte[] empty = {0};
    assertThat(YjsInterop.base64(Updates.diff(update, empty))).as("diffUpdate of %s", what)
        .isEqualTo(YjsInterop.base64(peer.diffUpdate(update, empty)));
    byte[] v2 = peer.convertUpdate(update, true);
    assertThat(YjsInterop.base64(Updates.convertV1ToV2(update))).as("convertUpdateFormatV1ToV2 of %s", what)
        .isEqualTo(YjsInterop.base64(v2));
    assertThat(YjsInterop.base64(Updates.convertV2ToV1(v2))).as("convertUpdateFormatV2ToV1 of %s", what)
        .isEqualTo(YjsInterop.base64(peer.convertUpdate(v2, false)));
  }

  /** The subdocs events since the last call (then forgotten) and getSubdocs(), against the twin's. */
  private static void compareSubdocs(String id, Doc doc, List<Object> events, String when) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("op", "log");
    c.put("id", id);
    List<Object> yjsEvents = new ArrayList<>();
    for (Object entry : (List<?>) peer.request(c).get("log")) {
      List<?> e = (List<?>) entry;
      if (e.get(0).equals("subdocs")) {
        Map<String, Object> m = YjsInterop.asMap(e.get(1));
        yjsEvents.add(List.of(m.get("loaded"), m.get("added"), m.get("removed")));
      }
    }
    assertThat(YjsSurfacePropertyTest.normalized(events)).as("subdocs events %s", when).isEqualTo(yjsEvents);
    events.clear();
    compareSubdocList(peer, id, doc, when);
  }

  /** getSubdocs() with every option (guid, shouldLoad, autoLoad, meta, gc, collectionid), against the twin's. */
  static void compareSubdocList(YjsPeer peer, String id, Doc doc, String when) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("op", "subdocs");
    c.put("id", id);
    c.put("full", true);
    List<Object> subdocs = new ArrayList<>();
    for (Doc d : doc.getSubdocs()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("guid", d.guid());
      m.put("shouldLoad", d.shouldLoad());
      m.put("autoLoad", d.autoLoad());
      m.put("meta", YjsSurfacePropertyTest.tagDeep(d.meta()));
      m.put("gc", d.isGc());
      m.put("collectionid", d.collectionId());
      subdocs.add(m);
    }
    assertThat(YjsSurfacePropertyTest.normalized(subdocs)).as("getSubdocs() %s", when)
        .isEqualTo(peer.request(c).get("subdocs"));
  }

  private static List<String> guids(Set<Doc> docs) {
    return docs.stream().map(Doc::guid).toList();
  }
}
