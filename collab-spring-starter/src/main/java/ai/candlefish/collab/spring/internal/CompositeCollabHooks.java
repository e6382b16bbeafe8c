package ai.candlefish.collab.spring.internal;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.awareness.AwarenessChange;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import java.util.List;

/**
 * Every {@link CollabHooks} bean of the application, called in order. A hook that refuses (throws from
 * {@code onConnect} or {@code onAuthenticate}) stops the ones after it, as the server expects.
 */
public final class CompositeCollabHooks implements CollabHooks {
  private final List<CollabHooks> hooks;

  public CompositeCollabHooks(List<CollabHooks> hooks) {
    this.hooks = List.copyOf(hooks);
  }

  @Override
  public void onConnect(ConnectionInfo connection) {
    hooks.forEach(h -> h.onConnect(connection));
  }

  @Override
  public void onAuthenticate(ConnectionInfo connection, Principal principal) {
    hooks.forEach(h -> h.onAuthenticate(connection, principal));
  }

  @Override
  public void onLoad(DocumentKey key, Doc doc) {
    hooks.forEach(h -> h.onLoad(key, doc));
  }

  @Override
  public void onChange(DocumentKey key, Doc doc) {
    hooks.forEach(h -> h.onChange(key, doc));
  }

  @Override
  public void onStore(DocumentKey key) {
    hooks.forEach(h -> h.onStore(key));
  }

  @Override
  public void onAwareness(DocumentKey key, AwarenessChange change) {
    hooks.forEach(h -> h.onAwareness(key, change));
  }

  @Override
  public void onStateless(DocumentKey key, ConnectionInfo connection, Principal principal, Permission permission,
      String payload) {
    hooks.forEach(h -> h.onStateless(key, connection, principal, permission, payload));
  }

  @Override
  public void onUnload(DocumentKey key) {
    hooks.forEach(h -> h.onUnload(key));
  }

  @Override
  public void onDisconnect(ConnectionInfo connection, Principal principal) {
    hooks.forEach(h -> h.onDisconnect(connection, principal));
  }
}
