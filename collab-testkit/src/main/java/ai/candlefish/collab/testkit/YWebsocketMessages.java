package ai.candlefish.collab.testkit;

import ai.candlefish.collab.core.Doc;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** y-websocket messages built in the tests, for clients that write the protocol by hand. */
public final class YWebsocketMessages {
  private YWebsocketMessages() {}

  /**
   * {@code count} y-websocket sync-update messages from one client, each one update that appends one character to
   * text {@code "t"}: after all of them the document's text is {@code count} characters long.
   */
  public static List<ByteBuffer> oneCharacterUpdates(int count) {
    Doc doc = Doc.create();
    List<ByteBuffer> messages = new ArrayList<>();
    doc.onUpdate((update, origin, txn) -> messages.add(syncUpdate(update)));
    for (int i = 0; i < count; i++) {
      doc.transact(txn -> txn.doc().getText("t").insert(txn.doc().getText("t").length(), "x"));
    }
    return messages;
  }

  /** The y-websocket message that carries {@code update}: sync (0), update (2), the update with its varuint length. */
  public static ByteBuffer syncUpdate(byte[] update) {
    ByteBuffer message = ByteBuffer.allocate(update.length + 7);
    message.put((byte) 0).put((byte) 2);
    for (int n = update.length; ; n >>>= 7) {
      if (n < 0x80) {
        message.put((byte) n);
        break;
      }
      message.put((byte) (n & 0x7f | 0x80));
    }
    return message.put(update).flip();
  }
}
