package io.switchboard.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.embedded.AsyncConnectHook;
import io.switchboard.embedded.AsyncPublishHook;
import io.switchboard.embedded.AsyncSubscribeHook;
import io.switchboard.embedded.Authenticator;
import io.switchboard.embedded.ConnectHook;
import io.switchboard.embedded.Namespace;
import io.switchboard.embedded.PublishHook;
import io.switchboard.embedded.RpcHook;
import io.switchboard.embedded.AsyncRpcHook;
import io.switchboard.embedded.SubscribeHook;
import io.switchboard.embedded.Switchboard;
import io.switchboard.embedded.SwitchboardBuilder;
import io.switchboard.spring.security.SpringSecurityConnectHook;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.authentication.UserDetailsRepositoryReactiveAuthenticationManager;
import org.springframework.security.core.userdetails.ReactiveUserDetailsService;
import org.springframework.web.server.session.CookieWebSessionIdResolver;
import org.springframework.web.server.session.DefaultWebSessionManager;
import org.springframework.web.server.session.WebSessionManager;
import org.springframework.web.server.session.WebSessionStore;

/**
 * Runs an embedded Switchboard node in a Spring Boot application: built from {@code switchboard.*}, with
 * the application's beans of the hook types ({@link Authenticator}, {@link ConnectHook} or
 * {@link AsyncConnectHook}, {@link SubscribeHook} or {@link AsyncSubscribeHook}, {@link PublishHook} or
 * {@link AsyncPublishHook}, {@link RpcHook} or {@link AsyncRpcHook}; at most one of each kind), its {@link MeterRegistry} when there is one, a
 * {@link SwitchboardLifecycle} that starts and drains it with the context, and with Actuator a health
 * indicator {@code switchboard}. An application's own {@link Switchboard} bean replaces all of it.
 */
@AutoConfiguration
@ConditionalOnClass(Switchboard.class)
@ConditionalOnProperty(prefix = "switchboard", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(SwitchboardProperties.class)
public class SwitchboardAutoConfiguration {

    /** The node, built but not started (its {@link SwitchboardLifecycle} starts it). */
    @Bean
    @ConditionalOnMissingBean
    public Switchboard switchboard(SwitchboardProperties p, ObjectProvider<Authenticator> authenticator,
                                   ObjectProvider<ConnectHook> connect, ObjectProvider<AsyncConnectHook> connectAsync,
                                   ObjectProvider<SubscribeHook> subscribe, ObjectProvider<AsyncSubscribeHook> subscribeAsync,
                                   ObjectProvider<PublishHook> publish, ObjectProvider<AsyncPublishHook> publishAsync,
                                   ObjectProvider<RpcHook> rpc, ObjectProvider<AsyncRpcHook> rpcAsync,
                                   ObjectProvider<MeterRegistry> registry) {
        SwitchboardBuilder b = Switchboard.builder();
        apply(p, b);
        authenticator.ifUnique(b::authenticator);
        connect.ifUnique(b::onConnect);
        connectAsync.ifUnique(b::onConnectAsync);
        subscribe.ifUnique(b::onSubscribe);
        subscribeAsync.ifUnique(b::onSubscribeAsync);
        publish.ifUnique(b::onPublish);
        publishAsync.ifUnique(b::onPublishAsync);
        rpc.ifUnique(b::onRpc);
        rpcAsync.ifUnique(b::onRpcAsync);
        registry.ifAvailable(b::meterRegistry);
        if (p.getSpringSecurity().isConnect()) {
            // Handshakes without a node token must reach the connect decision, which refuses those Spring
            // Security does not know.
            b.allowAnonymous(true);
        }
        return b.build();
    }

    /** Starts the node with the context and drains it when the context stops. */
    @Bean
    @ConditionalOnMissingBean
    public SwitchboardLifecycle switchboardLifecycle(Switchboard switchboard) {
        return new SwitchboardLifecycle(switchboard);
    }

    /**
     * With {@code switchboard.spring-security.connect: true} and Spring Security, Reactor and Spring Web on
     * the class path: the connect decision is Spring Security's ({@link SpringSecurityConnectHook}), unless
     * the application has a connect hook of its own.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"org.springframework.security.authentication.ReactiveAuthenticationManager",
            "org.springframework.web.server.session.WebSessionManager", "reactor.core.publisher.Mono"})
    @ConditionalOnProperty(prefix = "switchboard.spring-security", name = "connect", havingValue = "true")
    static class SpringSecurityConnect {
        @Bean
        @ConditionalOnMissingBean({ConnectHook.class, AsyncConnectHook.class})
        SpringSecurityConnectHook switchboardSpringSecurityConnectHook(ObjectProvider<ReactiveAuthenticationManager> managers,
                                                                       ObjectProvider<ReactiveUserDetailsService> users,
                                                                       ObjectProvider<WebSessionManager> sessions) {
            ReactiveAuthenticationManager manager = managers.getIfUnique(() -> {
                ReactiveUserDetailsService u = users.getIfUnique();
                return u == null ? null : new UserDetailsRepositoryReactiveAuthenticationManager(u);
            });
            WebSessionStore store = null;
            String cookie = "SESSION";
            if (sessions.getIfUnique() instanceof DefaultWebSessionManager d) {
                store = d.getSessionStore();
                if (d.getSessionIdResolver() instanceof CookieWebSessionIdResolver r) {
                    cookie = r.getCookieName();
                }
            }
            return new SpringSecurityConnectHook(manager, store, cookie);
        }
    }

    /** With Actuator: {@code /actuator/health} shows the node and its engine. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    static class Health {
        @Bean
        @ConditionalOnMissingBean(name = "switchboardHealthIndicator")
        SwitchboardHealthIndicator switchboardHealthIndicator(Switchboard switchboard) {
            return new SwitchboardHealthIndicator(switchboard);
        }
    }

    /** Applies what the properties give; what they leave out keeps the node's defaults. */
    static void apply(SwitchboardProperties p, SwitchboardBuilder b) {
        set(p.getBind(), b::bind);
        set(p.getPort(), b::port);
        set(p.getBehindTlsProxy(), b::behindTlsProxy);
        set(p.getJwtSecret(), b::jwtSecret);
        list(p.getJwtPublicKeys(), b::jwtPublicKeys);
        set(p.getJwksUrl(), b::jwksUrl);
        set(p.getJwtIssuer(), b::jwtIssuer);
        list(p.getJwtAudiences(), b::jwtAudiences);
        set(p.getAllowAnonymous(), b::allowAnonymous);
        b.demoTokens(p.getDemoTokens());
        list(p.getAllowedOrigins(), b::allowedOrigins);
        set(p.getIoThreads(), b::ioThreads);
        set(p.getWarmUpSessions(), b::warmUpSessions);
        set(p.getMaxFrameBytes(), b::maxFrameBytes);
        set(p.getMaxQueuedBytes(), b::maxQueuedBytes);
        set(p.getMaxChannels(), b::maxChannels);
        set(p.getHeartbeatInterval(), b::heartbeatInterval);
        set(p.getHeartbeatTimeout(), b::heartbeatTimeout);
        set(p.getHandshakeTimeout(), b::handshakeTimeout);
        set(p.getDrainWindow(), b::drainWindow);
        set(p.getMaxRecover(), b::maxRecover);
        set(p.getIdempotencyWindow(), b::idempotencyWindow);
        set(p.getPresenceTtl(), b::presenceTtl);
        set(p.getMaxConnectionsPerUser(), b::maxConnectionsPerUser);
        set(p.getMaxConnectionsPerIp(), b::maxConnectionsPerIp);
        if (p.getCompression() != null || p.getCompressionThreshold() != null || p.getCompressionLevel() != null) {
            io.switchboard.server.config.CompressionConfig d = io.switchboard.server.config.CompressionConfig.DEFAULT;
            b.compression(p.getCompression() != null ? p.getCompression() : d.enabled(),
                    p.getCompressionThreshold() != null ? p.getCompressionThreshold() : d.threshold(),
                    p.getCompressionLevel() != null ? p.getCompressionLevel() : d.level());
        }
        set(p.getCommandsPerSecond(), b::commandsPerSecond);
        set(p.getCommandBurst(), b::commandBurst);
        set(p.getNewConnectionsPerSecondPerIp(), b::newConnectionsPerSecondPerIp);
        set(p.getNewConnectionsBurstPerIp(), b::newConnectionsBurstPerIp);
        list(p.getApiKeys(), b::apiKeys);
        set(p.getNodeName(), b::nodeName);
        if ("redis".equals(p.getEngine())) {
            b.redisEngine(p.getRedisUrls());
        } else if (!"memory".equals(p.getEngine())) {
            throw new IllegalArgumentException("switchboard.engine must be memory or redis, not " + p.getEngine());
        } else if (!p.getRedisUrls().isEmpty()) {
            throw new IllegalArgumentException("switchboard.redis-urls needs switchboard.engine: redis");
        }
        set(p.getNatsUrl(), b::natsBroker);
        b.hookExecutor(p.getHookThreads(), p.getHookQueue());
        b.hookTimeout(p.getHookTimeout());
        for (Map.Entry<String, SwitchboardProperties.NamespaceProperties> e : p.getNamespaces().entrySet()) {
            SwitchboardProperties.NamespaceProperties n = e.getValue();
            b.namespace(Namespace.named(e.getKey()).history(n.getHistorySize(), n.getHistoryTtl())
                    .presence(n.isPresence(), n.isJoinLeave())
                    .access(n.getSubscribe(), n.getPublish(), n.getHistory(), n.getPresenceAccess())
                    .echo(n.isEcho()));
        }
    }

    private static <T> void set(T value, Consumer<T> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }

    private static void list(List<String> value, Consumer<List<String>> setter) {
        if (value != null && !value.isEmpty()) {
            setter.accept(value);
        }
    }
}
