package io.switchboard.examples.spring;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.userdetails.MapReactiveUserDetailsService;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.web.server.SecurityWebFilterChain;

/** Two users for the example (alice: USER; bob: USER and ADMIN), HTTP Basic, and who may call what. */
@Configuration
public class SecurityConfig {

    @Bean
    SecurityWebFilterChain security(ServerHttpSecurity http) {
        return http
                .authorizeExchange(a -> a
                        .pathMatchers("/", "/index.html", "/app.js", "/sb/**", "/actuator/health").permitAll()
                        .pathMatchers(HttpMethod.POST, "/api/announce").hasRole("ADMIN")
                        .anyExchange().authenticated())
                .httpBasic(b -> { })
                // A REST API called with Basic credentials carries no cookie a forged form could ride on.
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .build();
    }

    @Bean
    MapReactiveUserDetailsService users() {
        // {noop}: plain-text passwords, for an example only.
        UserDetails alice = User.withUsername("alice").password("{noop}alice-password").roles("USER").build();
        UserDetails bob = User.withUsername("bob").password("{noop}bob-password").roles("USER", "ADMIN").build();
        return new MapReactiveUserDetailsService(alice, bob);
    }
}
