package ai.candlefish.collab.examples.paintbox;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.Updates;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import ai.candlefish.collab.spi.UpdateRefusedException;
import org.junit.jupiter.api.Test;

class ServerOwnedRootsTest {
  private static final DocumentKey ESTIMATE = DocumentKey.of(PaintboxApplication.TENANT, "estimate-0123456789");
  private static final Principal ADA = Principal.of("Ada", PaintboxApplication.TENANT, Permission.WRITE);

  private final ServerOwnedRoots hooks = new ServerOwnedRoots();
  private final Doc server = Doc.create();

  private Updates.ChangedRoots writing(String root) {
    Doc client = Doc.create();
    client.getMap(root).set("by", "Mallory");
    return Updates.changedRoots(client.encodeStateAsUpdate(), server);
  }

  @Test
  void beforeUpdate_ofAServerOwnedRoot_refuses() {
    for (String root : ServerOwnedRoots.ROOTS) {
      assertThatThrownBy(() -> hooks.beforeUpdate(ESTIMATE, null, ADA, writing(root)))
          .isInstanceOf(UpdateRefusedException.class).hasMessageContaining(root);
    }
  }

  @Test
  void beforeUpdate_ofTheRoomsOrNotes_letsItThrough() {
    assertThatCode(() -> hooks.beforeUpdate(ESTIMATE, null, ADA, writing(EstimateTotals.ROOMS)))
        .doesNotThrowAnyException();
    assertThatCode(() -> hooks.beforeUpdate(ESTIMATE, null, ADA, writing("root"))).doesNotThrowAnyException();
  }

  @Test
  void beforeUpdate_thatCannotBePlaced_refuses() {
    assertThatThrownBy(() -> hooks.beforeUpdate(ESTIMATE, null, ADA,
        new Updates.ChangedRoots(java.util.Set.of("rooms"), false))).isInstanceOf(UpdateRefusedException.class);
  }

  @Test
  void beforeUpdate_ofAnotherDocument_letsItThrough() {
    assertThatCode(() -> hooks.beforeUpdate(DocumentKey.of(PaintboxApplication.TENANT, "scratch"), null, ADA,
        writing(EstimateTotals.TOTALS))).doesNotThrowAnyException();
  }
}
