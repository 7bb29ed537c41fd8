package io.switchboard.examples.spring;

import io.switchboard.embedded.AsyncSubscribeHook;
import io.switchboard.embedded.Decision;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.core.userdetails.ReactiveUserDetailsService;
import reactor.core.publisher.Mono;

/**
 * Authorizes subscribes by Spring Security roles: channels of the {@code admin} namespace are for users
 * with ROLE_ADMIN. The roles come from the application's own user store, asked asynchronously, so the
 * node's event loop never waits for it.
 */
@Configuration
public class RoleHooks {

    @Bean
    AsyncSubscribeHook adminChannelsForAdmins(ReactiveUserDetailsService users) {
        return request -> {
            if (!request.channel().startsWith("admin:")) {
                return Mono.just(Decision.allow()).toFuture();
            }
            return users.findByUsername(request.userId())
                    .map(u -> u.getAuthorities().stream().anyMatch(a -> a.getAuthority().equals("ROLE_ADMIN"))
                            ? Decision.allow() : Decision.refuse("admin channels are for admins"))
                    .defaultIfEmpty(Decision.refuse("unknown user"))
                    .toFuture();
        };
    }
}
