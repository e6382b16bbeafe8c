package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The parent-info field of an item without origins, against real Yjs: Yjs writes 1 (the parent is a root, named) or
 * 0 (the parent is an item, by id), and reads every value but 1 as 0. An update with another value is applied and
 * passed through the update algebra as Yjs does: the same bytes, the same content, or a failure on both sides.
 */
@ExtendWith(YjsPeerExtension.class)
class ParentInfoDifferentialTest {
  private static YjsPeer peer; // started and closed by YjsPeerExtension

  /**
   * Client 5 sets root map "m"'s key "k" to a map (clock 0), then that map's key "x" to "y" (clock 1, parent by id,
   * with {@code nestedParentInfo}); {@code rootParentInfo} is written for the first item.
   */
  private static byte[] update(long rootParentInfo, long nestedParentInfo) {
    Lib0Encoder e = new Lib0Encoder();
    e.writeVarUint(1); // clients
    e.writeVarUint(2); // structs
    e.writeVarUint(5);
    e.writeVarUint(0);
    e.writeUint8(Content.TYPE | Item.HAS_PARENT_SUB);
    e.writeVarUint(rootParentInfo);
    e.writeVarString("m");
    e.writeVarString("k");
    e.writeVarUint(1); // YMap
    e.writeUint8(Content.STRING | Item.HAS_PARENT_SUB);
    e.writeVarUint(nestedParentInfo);
    e.writeVarUint(5);
    e.writeVarUint(0);
    e.writeVarString("x");
    e.writeVarString("y");
    e.writeVarUint(0); // delete set
    return e.toByteArray();
  }

  @Test
  void parentInfoOtherThanOne_isReadAsAnItemParent_asYjs() {
    SameOutcomes outcomes = new SameOutcomes();
    Map<String, byte[]> cases = new LinkedHashMap<>();
    cases.put("as Yjs writes it", update(1, 0));
    cases.put("2 for an item parent", update(1, 2));
    cases.put("127 for an item parent", update(1, 127));
    cases.put("2^40 for an item parent", update(1, 1L << 40));
    cases.put("2 for a root parent", update(2, 0));
    byte[] emptySv = StateVector.empty().encode();
    cases.forEach((name, update) -> {
      Doc doc = Doc.newBuilder().clientId(1).build();
      doc.getMap("m");
      peer.newDoc("pi", 1, true, Map.of("m", "map"));
      try {
        outcomes.same(name + ": apply", () -> {
          doc.applyUpdate(update);
          return doc.encodeStateAsUpdate();
        }, () -> {
          peer.applyUpdate("pi", update);
          return peer.encodeStateAsUpdate("pi", null);
        });
        outcomes.same(name + ": diff", () -> Updates.diff(update, emptySv), () -> peer.diffUpdate(update, emptySv));
        outcomes.same(name + ": merge", () -> Updates.merge(List.of(update)),
            () -> peer.mergeUpdates(List.of(update)));
        outcomes.same(name + ": v1 to v2", () -> Updates.convertV1ToV2(update),
            () -> peer.convertUpdate(update, true));
        outcomes.same(name + ": state vector", () -> Updates.stateVector(update).encode(),
            () -> peer.stateVectorFromUpdate(update, false));
      } finally {
        peer.drop("pi");
      }
    });
    outcomes.assertNoDifferences();
    Doc doc = Doc.newBuilder().clientId(1).build();
    doc.applyUpdate(update(1, 2));
    assertThat(doc.getMap("m").toJson()).isEqualTo(Map.of("k", Map.of("x", "y")));
  }
}
