package io.switchboard.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where an option's value comes from when no flag gives it: the environment variable
 * {@code SWITCHBOARD_<NAME>} (the long option name in upper case, dashes as underscores), then the YAML
 * file named by {@code --config} or {@code SWITCHBOARD_CONFIG} (keys are the long option names without
 * dashes, e.g. {@code jwt-secret: ...}), then the option's built-in default. Remembers which source
 * supplied each value, for {@code --print-config}.
 */
final class ConfigSources implements IDefaultValueProvider {

    enum Source { FLAG, ENV, FILE, DEFAULT }

    private final Map<String, String> env;
    private final Map<String, String> file;
    private final Path filePath;
    private JsonNode namespacesNode;
    private final Map<String, Source> sources = new HashMap<>();

    private ConfigSources(Map<String, String> env, Map<String, String> file, Path filePath) {
        this.env = env;
        this.file = file;
        this.filePath = filePath;
    }

    /** Reads the YAML file named by {@code --config} in {@code args}, or by SWITCHBOARD_CONFIG. */
    static ConfigSources load(String[] args, Map<String, String> env) {
        String path = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                path = args[i + 1];
            } else if (args[i].startsWith("--config=")) {
                path = args[i].substring("--config=".length());
            }
        }
        if (path == null) {
            path = env.get("SWITCHBOARD_CONFIG");
        }
        if (path == null) {
            return new ConfigSources(env, Map.of(), null);
        }
        Path p = Path.of(path);
        Map<String, String> values = new HashMap<>();
        JsonNode namespaces = readYaml(p, values);
        ConfigSources s = new ConfigSources(env, values, p);
        s.namespacesNode = namespaces;
        return s;
    }

    /** The namespaces of the config file, or the shipped ones. */
    io.switchboard.server.config.Namespaces namespaces() {
        return NamespacesYaml.parse(namespacesNode);
    }

    /** Reads scalar options into {@code out}; returns the {@code namespaces} mapping, if any. */
    private static JsonNode readYaml(Path p, Map<String, String> out) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(p));
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + p + ": " + e.getMessage());
        }
        JsonNode namespaces = null;
        if (root == null || root.isNull() || root.isMissingNode()) {
            return null;
        }
        if (!root.isObject()) {
            throw new ConfigException("config file " + p + " must be a mapping of option names to values");
        }
        Iterator<Map.Entry<String, JsonNode>> it = root.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (e.getKey().equals("namespaces")) {
                namespaces = v;
                continue;
            }
            if (v.isArray()) {
                // A list (e.g. several api-key entries) becomes the comma-separated form the option splits.
                java.util.List<String> items = new java.util.ArrayList<>();
                for (JsonNode item : v) {
                    if (item.isContainerNode()) {
                        throw new ConfigException("config key '" + e.getKey() + "' in " + p + " must be a value or a list of values");
                    }
                    items.add(item.asText());
                }
                out.put(e.getKey(), String.join(",", items));
                continue;
            }
            if (v.isContainerNode()) {
                throw new ConfigException("config key '" + e.getKey() + "' in " + p + " must have a single value");
            }
            out.put(e.getKey(), v.asText());
        }
        return namespaces;
    }

    /** Fails on keys in the file that name no option, so a typo is not silently ignored. */
    void checkFileKeys(Iterable<OptionSpec> options) {
        for (String key : file.keySet()) {
            if (key.equals("namespaces")) {
                continue;
            }
            boolean known = false;
            for (OptionSpec o : options) {
                known |= key.equals(bareName(o));
            }
            if (!known) {
                throw new ConfigException("unknown key '" + key + "' in config file " + filePath);
            }
        }
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec o) || bareName(o).equals("config") || o.usageHelp() || o.versionHelp()) {
            return null;
        }
        String name = bareName(o);
        String fromEnv = env.get(envName(name));
        if (fromEnv != null) {
            sources.put(name, Source.ENV);
            return fromEnv;
        }
        String fromFile = file.get(name);
        if (fromFile != null) {
            sources.put(name, Source.FILE);
            return fromFile;
        }
        sources.put(name, Source.DEFAULT);
        return null;
    }

    Source sourceOf(OptionSpec o, boolean matchedOnCommandLine) {
        if (matchedOnCommandLine) {
            return Source.FLAG;
        }
        return sources.getOrDefault(bareName(o), Source.DEFAULT);
    }

    String describe(Source s, OptionSpec o) {
        return switch (s) {
            case FLAG -> "flag --" + bareName(o);
            case ENV -> "env " + envName(bareName(o));
            case FILE -> "file " + filePath;
            case DEFAULT -> "default";
        };
    }

    static String bareName(OptionSpec o) {
        return o.longestName().replaceFirst("^-+", "");
    }

    static String envName(String bareName) {
        return "SWITCHBOARD_" + bareName.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** A configuration that cannot be used, said in one sentence. */
    static final class ConfigException extends RuntimeException {
        ConfigException(String message) {
            super(message);
        }
    }
}
