package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.JsObjects;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The changes of one {@link YText} in one transaction. {@link #delta()} is a rich-text delta: inserts with their
 * formatting, deletions, and retains that carry formatting changes (trailing plain retains are dropped), exactly
 * as Yjs computes it.
 */
public final class YTextEvent extends YEvent {
  YTextEvent(SharedType target, Transaction transaction, Set<String> keysChanged) {
    super(target, transaction, keysChanged);
  }

  /** Whether text or embeds were inserted or deleted (false if only attributes of the type changed). */
  public boolean childListChanged() {
    return keysChanged.contains(null);
  }

  /**
   * The attributes of the text itself ({@link YText#setAttribute}) written in the transaction, in the order they
   * were first written (Yjs {@code keysChanged}).
   */
  public Set<String> keysChanged() {
    Set<String> out = new LinkedHashSet<>(keysChanged);
    out.remove(null);
    return Collections.unmodifiableSet(out);
  }

  private enum Action { INSERT, RETAIN, DELETE }

  /** Builds the delta as Yjs's {@code YTextEvent.delta} does, in a transaction of its own (it may clean up). */
  @Override
  List<Delta> computeDelta() {
    List<Delta> delta = new ArrayList<>();
    target().doc.transact(txn -> new Builder(delta).run(txn));
    return Collections.unmodifiableList(delta);
  }

  private final class Builder {
    final List<Delta> delta;
    final Map<String, Object> currentAttributes = new LinkedHashMap<>();
    final Map<String, Object> oldAttributes = new LinkedHashMap<>();
    /** Yjs's {@code attributes}, a JavaScript object: see {@link JsObject} for its key {@code "__proto__"}. */
    final JsObject attributes = new JsObject();
    Action action;
    Object insert = "";
    final StringBuilder insertText = new StringBuilder();
    int retain;
    int deleteLen;

    Builder(List<Delta> delta) {
      this.delta = delta;
    }

    void addOp() {
      if (action == null) {
        return;
      }
      Delta op = null;
      switch (action) {
        case DELETE -> {
          if (deleteLen > 0) {
            op = Delta.delete(deleteLen);
          }
          deleteLen = 0;
        }
        case INSERT -> {
          Object content = insert != null ? insert : insertText.toString();
          if (insert != null ? isDeltaInsert(insert) : insertText.length() > 0) {
            if (currentAttributes.isEmpty()) {
              op = Delta.insert(content);
            } else {
              // Yjs: op.attributes = {} then op.attributes[key] = value; "__proto__" makes no entry, and the
              // attributes stay even if that leaves them empty
              Map<String, Object> attrs = new LinkedHashMap<>();
              currentAttributes.forEach((k, v) -> {
                if (v != null && !k.equals(JsObjects.PROTO)) {
                  attrs.put(k, v);
                }
              });
              op = new Delta(content, 0, 0, Collections.unmodifiableMap(attrs));
            }
          }
          insert = null;
          insertText.setLength(0);
        }
        case RETAIN -> {
          if (retain > 0) {
            op = attributes.isEmpty() ? Delta.retain(retain) : new Delta(null, 0, retain, attributes.ownEntries());
          }
          retain = 0;
        }
      }
      if (op != null) {
        delta.add(op);
      }
      action = null;
    }

    /**
     * Whether Yjs's {@code typeof insert === 'object' || insert.length > 0} holds for an embed: objects, arrays, null
     * and non-empty strings make an insert; an embedded number, boolean or empty string makes none in an event's delta
     * (though {@code toDelta()} has it), and Yjs fails on an undefined one with a TypeError (we leave it out too).
     */
    private static boolean isDeltaInsert(Object embed) {
      return embed instanceof String s ? !s.isEmpty()
          : embed instanceof Map || embed instanceof List || embed instanceof SharedType || embed == Delta.NULL_EMBED;
    }

    void run(Transaction txn) {
      insert = null;
      for (Item item = target().start; item != null; item = item.right) {
        Content c = item.content;
        if (c instanceof ContentType || c instanceof ContentEmbed) {
          if (adds(item)) {
            if (!deletes(item)) {
              addOp();
              action = Action.INSERT;
              insert = c instanceof ContentType t ? t.type : ((ContentEmbed) c).deltaInsert();
              addOp();
            }
          } else if (deletes(item)) {
            if (action != Action.DELETE) {
              addOp();
              action = Action.DELETE;
            }
            deleteLen += 1;
          } else if (!item.isDeleted()) {
            if (action != Action.RETAIN) {
              addOp();
              action = Action.RETAIN;
            }
            retain += 1;
          }
        } else if (c instanceof ContentString s) {
          if (adds(item)) {
            if (!deletes(item)) {
              if (action != Action.INSERT) {
                addOp();
                action = Action.INSERT;
              }
              s.appendTo(insertText);
            }
          } else if (deletes(item)) {
            if (action != Action.DELETE) {
              addOp();
              action = Action.DELETE;
            }
            deleteLen += item.length;
          } else if (!item.isDeleted()) {
            if (action != Action.RETAIN) {
              addOp();
              action = Action.RETAIN;
            }
            retain += item.length;
          }
        } else if (c instanceof ContentFormat f) {
          format(txn, item, f);
        }
      }
      addOp();
      while (!delta.isEmpty()) {
        Delta last = delta.get(delta.size() - 1);
        if (last.retain() > 0 && last.attributes() == null) {
          delta.remove(delta.size() - 1);
        } else {
          break;
        }
      }
    }

    private void format(Transaction txn, Item item, ContentFormat f) {
      String key = f.key;
      Object value = f.value;
      if (adds(item)) {
        if (!deletes(item)) {
          Object curVal = currentAttributes.get(key);
          if (!YText.equalAttrs(curVal, value)) {
            if (action == Action.RETAIN) {
              addOp();
            }
            if (YText.equalAttrs(value, oldAttributes.get(key))) {
              attributes.delete(key);
            } else {
              attributes.set(key, value);
            }
          } else if (value != null) {
            item.delete(txn);
          }
        }
      } else if (deletes(item)) {
        oldAttributes.put(key, value);
        Object curVal = currentAttributes.get(key);
        if (!YText.equalAttrs(curVal, value)) {
          if (action == Action.RETAIN) {
            addOp();
          }
          attributes.set(key, curVal);
        }
      } else if (!item.isDeleted()) {
        oldAttributes.put(key, value);
        if (attributes.has(key)) {
          Object attr = attributes.get(key);
          if (!YText.equalAttrs(attr, value)) {
            if (action == Action.RETAIN) {
              addOp();
            }
            if (value == null) {
              attributes.delete(key);
            } else {
              attributes.set(key, value);
            }
          } else if (attr != null) {
            // Redundant: the contextless cleanup would remove it anyway.
            item.delete(txn);
          }
        }
      }
      if (!item.isDeleted()) {
        if (action == Action.INSERT) {
          addOp();
        }
        YText.updateCurrentAttributes(currentAttributes, f);
      }
    }
  }
}
