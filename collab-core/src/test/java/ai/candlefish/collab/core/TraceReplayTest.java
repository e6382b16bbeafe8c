package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.internal.codec.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every real editing trace in testdata/traces replays to its recorded end content, as local edits (one
 * transaction per trace transaction) and as the stream of their updates applied to a second document; both
 * documents, and a third loaded from the encoded state, end byte-identical.
 */
class TraceReplayTest {
  /** One edit in UTF-16 units. */
  record Edit(int index, int deleteLength, String insert) {}

  /** Loads a trace and converts its code-point positions to UTF-16 positions (the astral characters shift them). */
  static List<List<Edit>> load(String name, String[] endContent) throws IOException {
    Path path = Path.of(System.getProperty("collab.traces", "../testdata/traces")).resolve(name + ".json.gz");
    Map<?, ?> trace;
    try (InputStream in = new GZIPInputStream(Files.newInputStream(path))) {
      trace = (Map<?, ?>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    endContent[0] = (String) trace.get("endContent");
    // Code-point indices of the astral characters currently in the document, ascending.
    List<Integer> astral = new ArrayList<>();
    List<List<Edit>> txns = new ArrayList<>();
    for (Object t : (List<?>) trace.get("txns")) {
      List<Edit> edits = new ArrayList<>();
      for (Object p : (List<?>) ((Map<?, ?>) t).get("patches")) {
        List<?> patch = (List<?>) p;
        int pos = ((Number) patch.get(0)).intValue();
        int del = ((Number) patch.get(1)).intValue();
        String ins = (String) patch.get(2);
        int before = 0;
        int within = 0;
        for (int i = 0; i < astral.size(); i++) {
          int a = astral.get(i);
          if (a < pos) {
            before++;
          } else if (a < pos + del) {
            within++;
          }
        }
        int insCodePoints = ins.codePointCount(0, ins.length());
        List<Integer> next = new ArrayList<>(astral.size());
        for (int a : astral) {
          if (a < pos) {
            next.add(a);
          } else if (a >= pos + del) {
            next.add(a - del + insCodePoints);
          }
        }
        int cp = 0;
        for (int i = 0; i < ins.length(); i += Character.charCount(ins.codePointAt(i)), cp++) {
          if (Character.isSupplementaryCodePoint(ins.codePointAt(i))) {
            next.add(pos + cp);
          }
        }
        next.sort(Integer::compare);
        astral = next;
        edits.add(new Edit(pos + before, del + within, ins));
      }
      txns.add(edits);
    }
    return txns;
  }

  @ParameterizedTest
  @ValueSource(strings = {"automerge-paper", "seph-blog1", "rustcode", "sveltecomponent"})
  void replay_reachesEndContentLocallyAndThroughUpdates(String name) throws IOException {
    String[] end = new String[1];
    List<List<Edit>> txns = load(name, end);
    Doc local = Doc.newBuilder().clientId(1).build();
    Doc remote = Doc.newBuilder().clientId(2).build();
    local.onUpdate((update, origin, txn) -> remote.applyUpdate(update));
    YText text = local.getText("text");
    for (List<Edit> edits : txns) {
      local.transact(txn -> {
        for (Edit e : edits) {
          if (e.deleteLength() > 0) {
            text.delete(e.index(), e.deleteLength());
          }
          if (!e.insert().isEmpty()) {
            text.insert(e.index(), e.insert());
          }
        }
      });
    }
    assertThat(text.toString()).isEqualTo(end[0]);
    assertThat(remote.getText("text").toString()).isEqualTo(end[0]);
    byte[] state = local.encodeStateAsUpdate();
    assertThat(remote.encodeStateAsUpdate()).isEqualTo(state);
    Doc loaded = Doc.newBuilder().clientId(3).build();
    loaded.applyUpdate(state);
    assertThat(loaded.getText("text").toString()).isEqualTo(end[0]);
    assertThat(loaded.encodeStateAsUpdate()).isEqualTo(state);
    DocInvariants.check(local);
    DocInvariants.check(remote);
    DocInvariants.check(loaded);
  }

  /**
   * The whole trace in one transaction, where nothing is merged until the end: one-character items, long clock
   * runs and long runs of tombstones. Every shortcut of the search markers is checked against Yjs's own walk
   * ({@link SearchMarkers#crossCheck}): a walk to a run start that stops at the cached run, a marker moved off a
   * deleted item; both must have happened.
   */
  @Test
  void replayInOneTransaction_shortcutsMatchYjsWalks() throws IOException {
    String[] end = new String[1];
    // The shortest trace: checking every walk makes the replay ~50 times slower (rustcode: 40 s).
    List<List<Edit>> txns = load("sveltecomponent", end);
    Doc doc = Doc.newBuilder().clientId(1).build();
    YText text = doc.getText("text");
    SearchMarkers.crossCheck = true;
    SearchMarkers.cachedRuns = 0;
    SearchMarkers.hintedMoves = 0;
    try {
      doc.transact(txn -> {
        for (List<Edit> edits : txns) {
          for (Edit e : edits) {
            if (e.deleteLength() > 0) {
              text.delete(e.index(), e.deleteLength());
            }
            if (!e.insert().isEmpty()) {
              text.insert(e.index(), e.insert());
            }
          }
        }
      });
    } finally {
      SearchMarkers.crossCheck = false;
    }
    assertThat(text.toString()).isEqualTo(end[0]);
    assertThat(SearchMarkers.cachedRuns).as("walks to a run start stopped at the cached run").isPositive();
    assertThat(SearchMarkers.hintedMoves).as("markers moved off deleted items by the two-way walk").isPositive();
    DocInvariants.check(doc);
  }
}
