/** Authenticating collaboration clients with the application's Spring Security. */
package ai.candlefish.collab.spring.security;
