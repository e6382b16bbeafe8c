package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A root asked for as one kind and then as another, against real Yjs ({@code doc.get(name, Constructor)}): the same
 * kind again gives the same type, a root that only an update made takes the kind first asked for, and any other
 * kind fails, a subclass included (Yjs compares constructors, so an XML text is not a text root, nor an XML element
 * a fragment root).
 */
@ExtendWith(YjsPeerExtension.class)
class RootKindsDifferentialTest {
  private static final List<String> KINDS = List.of("text", "xmlText", "array", "map", "xml", "xmlElement");
  private static final String FAILS = "fails";

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  @Test
  void rootAskedForAsTwoKinds_givesWhatYjsGives() {
    List<String> differences = new ArrayList<>();
    for (boolean fromUpdate : new boolean[] {false, true}) {
      for (String first : KINDS) {
        for (String second : KINDS) {
          Doc doc = Doc.newBuilder().clientId(5).build();
          peer.newDoc("roots", 5, true, Map.of());
          try {
            if (fromUpdate) {
              byte[] update = updateMaking(first);
              doc.applyUpdate(update);
              peer.applyUpdate("roots", update);
            }
            List<String> ours = List.of(ours(doc, first), ours(doc, second));
            List<String> yjs = List.of(yjs(first), yjs(second));
            if (!ours.equals(yjs)) {
              differences.add((fromUpdate ? "made by an update as " : "") + first + ", then " + second + ": ours "
                  + ours + ", Yjs " + yjs);
            }
            assertThat(YjsInterop.base64(doc.encodeStateAsUpdate()))
                .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate("roots", null)));
          } finally {
            peer.drop("roots");
          }
        }
      }
    }
    assertThat(differences).isEmpty();
  }

  /** The kind of type ours returns for root "r" asked for as {@code kind}, or {@link #FAILS}. */
  private static String ours(Doc doc, String kind) {
    return outcome(() -> YjsSurfacePropertyTest.kindOf(Twins.root(doc, "r", kind)));
  }

  /** The same for Yjs, which returns a type of the constructor asked for when it does not fail. */
  private static String yjs(String kind) {
    return outcome(() -> {
      peer.apply("roots", Map.of("op", "getRoot", "name", "r", "kind", kind));
      return kind.equals("xml") ? "xmlFragment" : kind;
    });
  }

  private static String outcome(Supplier<String> get) {
    try {
      return get.get();
    } catch (RuntimeException e) {
      return FAILS;
    }
  }

  /** An update from another client that gives root "r" content of {@code kind}. */
  private static byte[] updateMaking(String kind) {
    Doc source = Doc.newBuilder().clientId(9).build();
    SharedType root = Twins.root(source, "r", kind);
    if (root instanceof YText t) {
      t.insert(0, "hi");
    } else if (root instanceof YArray a) {
      a.insert(0, List.of(1));
    } else if (root instanceof YXmlElement e) {
      e.setAttribute("k", "v");
    } else if (root instanceof YXmlFragment f) {
      f.insert(0, List.of(new YXmlElement("p")));
    } else {
      ((YMap) root).set("k", 1);
    }
    return source.encodeStateAsUpdate();
  }
}
