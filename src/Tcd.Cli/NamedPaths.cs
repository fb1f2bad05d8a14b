namespace Tcd.Cli;

/// <summary>List options whose values are <c>name=path</c> or just <c>path</c> (then named after the path).</summary>
internal static class NamedPaths
{
    /// <summary>Splits <paramref name="entries"/> into unique names and their paths; whether a path exists is the caller's to check.</summary>
    /// <param name="entries">The option's values.</param>
    /// <param name="option">The option's name, for messages (e.g. <c>--domains</c>).</param>
    /// <param name="example">A path for the messages' examples (e.g. <c>wiki.txt</c>).</param>
    /// <param name="nameOf">The name of an unnamed path [default: the file or folder name without extension].</param>
    /// <exception cref="CliUsageException">An entry has no path or no name, or a name is used twice.</exception>
    public static List<KeyValuePair<string, string>> Parse(IEnumerable<string> entries, string option, string example, Func<string, string>? nameOf = null)
    {
        nameOf ??= path => Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(path));
        var result = new List<KeyValuePair<string, string>>();
        foreach (var entry in entries)
        {
            var separator = entry.IndexOf('=', StringComparison.Ordinal);
            var path = separator < 0 ? entry : entry[(separator + 1)..];
            var name = separator < 0 ? nameOf(path) : entry[..separator].Trim();
            if (name.Length == 0 || path.Length == 0)
            {
                throw new CliUsageException(
                    $"{option}: '{entry}' needs a path, optionally named: '{example}' or '{Path.GetFileNameWithoutExtension(example)}={example}'.");
            }

            if (result.Any(named => named.Key == name))
            {
                throw new CliUsageException($"{option}: the name '{name}' is used twice; name them 'a=path1' 'b=path2'.");
            }

            result.Add(KeyValuePair.Create(name, path));
        }

        return result;
    }
}
