package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Delete sets that Yjs never writes but reads, against real Yjs: ranges out of order, overlapping, adjacent, of
 * length 0, a client listed twice or with no ranges, clients in ascending order, ranges past what is there. Each is
 * applied to a document and passed through the update algebra (diff, merge, v1/v2 conversion, state vector) on both
 * sides: the same bytes, the same content, or a failure on both sides. Yjs writes a delete set as it read it in a
 * diff or a conversion (in v2 a range out of order gives a negative distance, which lib0 writes as one byte of
 * garbage; a range of length 0 fails there, where ours leaves it out: it deletes nothing, and a Yjs document holds
 * one when it deleted an empty embed), and sorts and merges it in a merge of several updates: so do we.
 */
@ExtendWith(YjsPeerExtension.class)
class DeleteSetEdgesDifferentialTest {
  private static YjsPeer peer; // started and closed by YjsPeerExtension

  /** Client 5 inserts "abcdefghij" into root text "t"; then the delete set {client: [[clock, len]...]}. */
  private static byte[] update(Map<Long, List<int[]>> deleteSet) {
    Lib0Encoder e = new Lib0Encoder();
    e.writeVarUint(1);
    e.writeVarUint(1);
    e.writeVarUint(5);
    e.writeVarUint(0);
    e.writeUint8(Content.STRING);
    e.writeVarUint(1);
    e.writeVarString("t");
    e.writeVarString("abcdefghij");
    e.writeVarUint(deleteSet.size());
    deleteSet.forEach((client, ranges) -> {
      e.writeVarUint(client);
      e.writeVarUint(ranges.size());
      for (int[] r : ranges) {
        e.writeVarUint(r[0]);
        e.writeVarUint(r[1]);
      }
    });
    return e.toByteArray();
  }

  private static Map<String, byte[]> cases() {
    Map<String, byte[]> cases = new LinkedHashMap<>();
    cases.put("unsorted", update(Map.of(5L, List.of(new int[] {5, 2}, new int[] {0, 1}))));
    cases.put("overlapping", update(Map.of(5L, List.of(new int[] {0, 5}, new int[] {2, 5}))));
    cases.put("zero length", update(Map.of(5L, List.of(new int[] {3, 0}, new int[] {4, 1}))));
    cases.put("adjacent", update(Map.of(5L, List.of(new int[] {1, 1}, new int[] {2, 2}, new int[] {6, 0}))));
    cases.put("unsorted past 127", update(Map.of(5L, List.of(new int[] {300, 2}, new int[] {0, 1}))));
    cases.put("past the end", update(Map.of(5L, List.of(new int[] {8, 5}))));
    cases.put("unknown client", update(Map.of(9L, List.of(new int[] {0, 2}))));
    Map<Long, List<int[]>> ascending = new LinkedHashMap<>();
    ascending.put(5L, List.of(new int[] {0, 1}));
    ascending.put(7L, List.of(new int[] {0, 2}));
    cases.put("ascending clients", update(ascending));
    Map<Long, List<int[]>> empty = new LinkedHashMap<>();
    empty.put(5L, List.of());
    empty.put(6L, List.of(new int[] {0, 1}));
    cases.put("client without ranges", update(empty));
    // a client listed twice: built by hand (a map cannot hold it)
    Lib0Encoder e = new Lib0Encoder();
    byte[] one = update(Map.of(5L, List.of(new int[] {0, 1})));
    e.writeUint8Array(one, 0, one.length - 5); // without the delete set (1 client, client 5, 1 range, 0, 1)
    e.writeVarUint(2);
    for (int clock : new int[] {0, 3}) {
      e.writeVarUint(5);
      e.writeVarUint(1);
      e.writeVarUint(clock);
      e.writeVarUint(1);
    }
    cases.put("client twice", e.toByteArray());
    return cases;
  }

  /** The cases with ranges of length 0, without them: what their v2 form holds (Yjs fails to write them). */
  private static final Map<String, byte[]> WITHOUT_EMPTY_RANGES = Map.of(
      "zero length", update(Map.of(5L, List.of(new int[] {4, 1}))),
      "adjacent", update(Map.of(5L, List.of(new int[] {1, 1}, new int[] {2, 2}))));

  @Test
  void oddDeleteSets_appliedAndInTheAlgebra_asYjs() {
    SameOutcomes outcomes = new SameOutcomes();
    Doc other = Doc.newBuilder().clientId(6).build();
    other.getText("t").insert(0, "xy");
    other.getText("t").delete(0, 1);
    byte[] otherUpdate = other.encodeStateAsUpdate();
    byte[] emptySv = StateVector.empty().encode();
    byte[] someSv = StateVector.decode(new byte[] {1, 5, 4}).encode();
    cases().forEach((name, update) -> {
      Doc doc = Doc.newBuilder().clientId(1).build();
      doc.getText("t");
      peer.newDoc("ds", 1, true, Map.of("t", "text"));
      try {
        outcomes.same(name + ": apply", () -> {
          doc.applyUpdate(update);
          return doc.encodeStateAsUpdate();
        }, () -> {
          peer.applyUpdate("ds", update);
          return peer.encodeStateAsUpdate("ds", null);
        });
        assertThat(doc.getText("t").toString()).as(name).isEqualTo(peer.snapshot("ds", Map.of("t", "text"))
            .get("values") instanceof Map<?, ?> m ? m.get("t") : null);
        outcomes.same(name + ": diff", () -> Updates.diff(update, emptySv), () -> peer.diffUpdate(update, emptySv));
        outcomes.same(name + ": diff past 4", () -> Updates.diff(update, someSv),
            () -> peer.diffUpdate(update, someSv));
        outcomes.same(name + ": merge", () -> Updates.merge(List.of(update)),
            () -> peer.mergeUpdates(List.of(update)));
        outcomes.same(name + ": merge of two", () -> Updates.merge(List.of(update, otherUpdate)),
            () -> peer.mergeUpdates(List.of(update, otherUpdate)));
        byte[] withoutEmptyRanges = WITHOUT_EMPTY_RANGES.getOrDefault(name, update);
        outcomes.same(name + ": v1 to v2", () -> Updates.convertV1ToV2(update),
            () -> peer.convertUpdate(withoutEmptyRanges, true));
        outcomes.same(name + ": state vector", () -> Updates.stateVector(update).encode(),
            () -> peer.stateVectorFromUpdate(update, false));
      } finally {
        peer.drop("ds");
      }
    });
    outcomes.assertNoDifferences();
  }
}
