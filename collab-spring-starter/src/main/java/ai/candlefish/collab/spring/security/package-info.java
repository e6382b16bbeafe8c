/** Authenticating collaboration clients with the application's Spring Security. */
@NullMarked
package ai.candlefish.collab.spring.security;

import org.jspecify.annotations.NullMarked;
