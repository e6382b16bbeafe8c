package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Real v1 updates written again with some of their varints in over-long form (the value's groups, then groups of
 * zeros: {@code 5} as {@code 85 80 00}), which no encoder writes and lib0 reads, against real Yjs: applied to a fresh
 * document, merged with another update, the state vector and a diff of them, the same bytes or a failure on both
 * sides. Varints of up to {@link Lib0Decoder#MAX_VARINT_BYTES} bytes: past that lib0 reads NaN (see there).
 *
 * <p>Seeded; a failure names its seed: rerun with {@code -Doverlong.seed=<seed> -Doverlong.runs=1}.
 */
@ExtendWith(YjsPeerExtension.class)
class OverlongVarintsDifferentialPropertyTest {
  private static final Map<String, String> ROOTS = Map.of("t", "text", "a", "array", "m", "map");
  private static final long[] CLIENTS = {1, 300, 3_000_000_000L};

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  @Test
  void overlongVarints_readAsYjsReadsThem() {
    SeededRuns runs = SeededRuns.named("overlong", 0x0DD1L, 60).within(15_000);
    int[] padded = {0};
    runs.forEach((seed, run) -> padded[0] += new Run(seed).execute());
    assertThat(padded[0]).as("varints written over-long").isGreaterThanOrEqualTo(3);
  }

  private static final class Run {
    final SplittableRandom rnd;
    final boolean gc;
    final List<byte[]> history = new ArrayList<>();
    final List<Doc> docs = new ArrayList<>();

    Run(long seed) {
      rnd = new SplittableRandom(seed);
      gc = rnd.nextBoolean();
    }

    /** Returns how many varints were written over-long. */
    int execute() {
      RandomEdits edits = new RandomEdits(rnd);
      for (long client : CLIENTS) {
        Doc d = Doc.newBuilder().clientId(client).gc(gc).build();
        ROOTS.forEach((name, kind) -> Twins.root(d, name, kind));
        d.onUpdate((u, origin, txn) -> history.add(u.clone()));
        docs.add(d);
      }
      for (int step = 5 + rnd.nextInt(15); step > 0; step--) {
        Doc d = docs.get(rnd.nextInt(docs.size()));
        if (rnd.nextInt(3) == 0) {
          Doc other = docs.get(rnd.nextInt(docs.size()));
          d.applyUpdate(other.encodeStateAsUpdate(d.encodeStateVector()));
        }
        YjsInterop.apply(d, edits.randomOp(d));
      }
      byte[] source = rnd.nextBoolean() ? history.get(rnd.nextInt(history.size()))
          : docs.get(rnd.nextInt(docs.size())).encodeStateAsUpdate();
      Overlong rewrite = new Overlong(source, rnd);
      byte[] update = rewrite.update();
      assertThat(new Overlong(source, new SplittableRandom(0)).plain()).as("the rewriter copies what it does not pad")
          .isEqualTo(source);
      byte[] other = history.get(rnd.nextInt(history.size()));
      byte[] sv = docs.get(rnd.nextInt(docs.size())).encodeStateVector();
      String what = YjsInterop.base64(update);
      SameOutcomes outcomes = new SameOutcomes();
      outcomes.same(what + ": applied", () -> applied(update), () -> {
        peer.newDoc("overlong", 999, gc);
        try {
          peer.applyUpdate("overlong", update);
          return peer.encodeStateAsUpdate("overlong", null);
        } finally {
          peer.drop("overlong");
        }
      });
      outcomes.same(what + ": merged", () -> Updates.merge(List.of(update, other)),
          () -> peer.mergeUpdates(List.of(update, other)));
      outcomes.same(what + ": state vector", () -> Updates.stateVector(update).encode(),
          () -> peer.stateVectorFromUpdate(update, false));
      outcomes.same(what + ": diff", () -> Updates.diff(update, sv), () -> peer.diffUpdate(update, sv));
      outcomes.assertNoDifferences();
      return rewrite.padded;
    }

    private byte[] applied(byte[] update) {
      Doc d = Doc.newBuilder().clientId(999).gc(gc).build();
      d.applyUpdate(update);
      return d.encodeStateAsUpdate();
    }
  }

  /**
   * Writes a v1 update again, struct by struct (the layout of Yjs's {@code readClientsStructRefs}, {@code readItem}
   * and {@code readDeleteSet}), each varint of the layout over-long at random; {@code any} values are copied as they are.
   */
  private static final class Overlong {
    private final byte[] src;
    private final Lib0Decoder in;
    private final SplittableRandom rnd;
    private final Lib0Encoder out = new Lib0Encoder();
    private boolean pad = true;
    int padded;

    Overlong(byte[] src, SplittableRandom rnd) {
      this.src = src;
      this.in = new Lib0Decoder(src);
      this.rnd = rnd;
    }

    byte[] update() {
      rewrite();
      return out.toByteArray();
    }

    /** The update written again with no varint padded. */
    byte[] plain() {
      pad = false;
      return update();
    }

    private void rewrite() {
      for (long clients = uint(); clients > 0; clients--) {
        long structs = uint();
        uint(); // client
        uint(); // first clock
        for (; structs > 0; structs--) {
          int info = in.readUint8();
          out.writeUint8(info);
          int ref = info & 0x1F;
          if (ref == 0 || ref == 10) {
            uint(); // GC or Skip length
            continue;
          }
          if ((info & 0x80) != 0) {
            uint();
            uint();
          }
          if ((info & 0x40) != 0) {
            uint();
            uint();
          }
          if ((info & 0xC0) == 0) {
            if (uint() == 1) {
              string();
            } else {
              uint();
              uint();
            }
            if ((info & 0x20) != 0) {
              string();
            }
          }
          content(ref);
        }
      }
      for (long clients = uint(); clients > 0; clients--) {
        uint(); // client
        for (long ranges = uint(); ranges > 0; ranges--) {
          uint();
          uint();
        }
      }
      copy(in.remaining());
    }

    private void content(int ref) {
      switch (ref) {
        case 1 -> uint(); // deleted
        case 2 -> { // JSON
          for (long n = uint(); n > 0; n--) {
            string();
          }
        }
        case 3, 4, 5 -> string(); // binary, string, embed
        case 6 -> { // format
          string();
          string();
        }
        case 7 -> { // type
          long typeRef = uint();
          if (typeRef == 3 || typeRef == 5) {
            string();
          }
        }
        case 8 -> { // any
          for (long n = uint(); n > 0; n--) {
            any();
          }
        }
        case 9 -> { // doc
          string();
          any();
        }
        default -> throw new IllegalStateException("content ref " + ref);
      }
    }

    private long uint() {
      long v = in.readVarUint();
      int zeros = pad && rnd.nextInt(4) == 0 ? 1 + extraGroups(v) : 0;
      if (zeros == 0) {
        out.writeVarUint(v);
        return v;
      }
      padded++;
      // the value's groups, each with the continuation bit, then zero groups, the last without it
      long rest = v;
      do {
        out.writeUint8((int) (rest & 0x7F) | 0x80);
        rest >>>= 7;
      } while (rest != 0);
      for (int i = 1; i < zeros; i++) {
        out.writeUint8(0x80);
      }
      out.writeUint8(0);
      return v;
    }

    /** How many zero groups to add beyond the first: at times as many as make the varint the longest lib0 reads exactly. */
    private int extraGroups(long v) {
      int groups = Math.max(1, (64 - Long.numberOfLeadingZeros(v) + 6) / 7);
      int most = Lib0Decoder.MAX_VARINT_BYTES - groups - 1;
      return rnd.nextInt(4) == 0 ? most : rnd.nextInt(Math.min(most, 12) + 1);
    }

    private void string() {
      long n = uint();
      copy((int) n);
    }

    private void any() {
      int from = in.offset();
      in.readAny();
      out.writeUint8Array(Arrays.copyOfRange(src, from, in.offset()));
    }

    private void copy(int n) {
      out.writeUint8Array(in.readUint8Array(n));
    }
  }
}
