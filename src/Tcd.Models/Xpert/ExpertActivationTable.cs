using System.Globalization;
using System.Text;
using System.Text.Json;
using Tcd.Models.Runtime;

namespace Tcd.Models.Xpert;

/// <summary>
/// How often each expert of each MoE layer was chosen on each domain: token counts and activation frequencies
/// (share of the domain's real tokens routed to the expert) indexed layer × domain × expert. For every layer and
/// domain the frequencies sum to 1.
/// </summary>
public sealed class ExpertActivationTable
{
    private readonly long[,,] counts;
    private readonly long[,] totals;
    private readonly string[] domains;

    /// <summary>Creates a table from routed-token counts.</summary>
    /// <param name="domains">Domain names, unique and non-blank, in the order of the second index of <paramref name="tokenCounts"/>.</param>
    /// <param name="tokenCounts">Tokens routed to each expert, [layers, domains, experts], non-negative; every layer and domain needs at least one token.</param>
    public ExpertActivationTable(IReadOnlyList<string> domains, long[,,] tokenCounts)
    {
        ArgumentNullException.ThrowIfNull(domains);
        ArgumentNullException.ThrowIfNull(tokenCounts);
        if (domains.Count == 0 || domains.Any(string.IsNullOrWhiteSpace) || domains.Distinct(StringComparer.Ordinal).Count() != domains.Count)
        {
            throw new ArgumentException(
                $"Domain names must be non-blank and unique, and there must be at least one; got [{string.Join(", ", domains)}].",
                nameof(domains));
        }

        if (tokenCounts.GetLength(1) != domains.Count || tokenCounts.GetLength(0) == 0 || tokenCounts.GetLength(2) == 0)
        {
            throw new ArgumentException(
                $"The counts are shaped [{tokenCounts.GetLength(0)}, {tokenCounts.GetLength(1)}, {tokenCounts.GetLength(2)}] " +
                $"(layers, domains, experts) but {domains.Count} domain names were given; every dimension must be at least 1.",
                nameof(tokenCounts));
        }

        this.domains = domains.ToArray();
        counts = (long[,,])tokenCounts.Clone();
        totals = new long[LayerCount, DomainCount];
        for (var layer = 0; layer < LayerCount; layer++)
        {
            for (var domain = 0; domain < DomainCount; domain++)
            {
                for (var expert = 0; expert < ExpertCount; expert++)
                {
                    if (counts[layer, domain, expert] < 0)
                    {
                        throw new ArgumentException(
                            $"The token count of layer {layer}, domain '{this.domains[domain]}', expert {expert} is negative.", nameof(tokenCounts));
                    }

                    totals[layer, domain] += counts[layer, domain, expert];
                }

                if (totals[layer, domain] == 0)
                {
                    throw new ArgumentException(
                        $"Domain '{this.domains[domain]}' has no routed tokens in layer {layer}; give every domain some text.", nameof(tokenCounts));
                }
            }
        }
    }

    /// <summary>The domain names, in table order.</summary>
    public IReadOnlyList<string> Domains => domains;

    /// <summary>Number of MoE layers.</summary>
    public int LayerCount => counts.GetLength(0);

    /// <summary>Number of domains.</summary>
    public int DomainCount => counts.GetLength(1);

    /// <summary>Number of experts per layer.</summary>
    public int ExpertCount => counts.GetLength(2);

    /// <summary>A one-line summary: the table's shape and its domains.</summary>
    public override string ToString() =>
        $"expert activations of {LayerCount} layers × {ExpertCount} experts on {DomainCount} domains ({string.Join(", ", domains)})";

    /// <summary>Tokens of <paramref name="domain"/> routed to <paramref name="expert"/> in <paramref name="layer"/>.</summary>
    public long TokenCount(int layer, int domain, int expert) => counts[layer, domain, expert];

    /// <summary>Real tokens of <paramref name="domain"/> routed in <paramref name="layer"/> (the same in every layer for a dropless count).</summary>
    public long TotalTokens(int layer, int domain) => totals[layer, domain];

    /// <summary>Share of the domain's tokens routed to the expert in the layer, in [0, 1].</summary>
    public double Frequency(int layer, int domain, int expert) => (double)counts[layer, domain, expert] / totals[layer, domain];

    /// <summary>The frequencies of one layer as a [domains, experts] matrix (e.g. for a heatmap).</summary>
    public double[,] LayerFrequencies(int layer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, LayerCount);
        var result = new double[DomainCount, ExpertCount];
        for (var domain = 0; domain < DomainCount; domain++)
        {
            for (var expert = 0; expert < ExpertCount; expert++)
            {
                result[domain, expert] = Frequency(layer, domain, expert);
            }
        }

        return result;
    }

    /// <summary>
    /// Long-format CSV, one row per layer, domain and expert: <c>layer,domain,expert,tokens,frequency</c>
    /// (invariant culture, frequency with 8 decimals, RFC 4180 quoting of domain names).
    /// </summary>
    public string ToCsv()
    {
        var builder = new StringBuilder("layer,domain,expert,tokens,frequency\n");
        for (var layer = 0; layer < LayerCount; layer++)
        {
            for (var domain = 0; domain < DomainCount; domain++)
            {
                for (var expert = 0; expert < ExpertCount; expert++)
                {
                    builder.Append(CultureInfo.InvariantCulture,
                        $"{layer},{CsvField(domains[domain])},{expert},{counts[layer, domain, expert]},{Frequency(layer, domain, expert):F8}\n");
                }
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// Indented JSON: <c>{"domains": [...], "experts": E, "layers": [{"layer": l, "domains": [{"domain", "tokens",
    /// "counts": [...], "frequencies": [...]}]}]}</c>.
    /// </summary>
    public string ToJson()
    {
        var document = new
        {
            domains,
            experts = ExpertCount,
            layers = Enumerable.Range(0, LayerCount).Select(layer => new
            {
                layer,
                domains = Enumerable.Range(0, DomainCount).Select(domain => new
                {
                    domain = domains[domain],
                    tokens = totals[layer, domain],
                    counts = Enumerable.Range(0, ExpertCount).Select(expert => counts[layer, domain, expert]).ToArray(),
                    frequencies = Enumerable.Range(0, ExpertCount).Select(expert => Frequency(layer, domain, expert)).ToArray(),
                }),
            }),
        };
        return JsonSerializer.Serialize(document, TcdJson.Indented);
    }

    /// <summary>Writes <see cref="ToCsv"/> to <paramref name="path"/> (UTF-8, folders created).</summary>
    public void WriteCsv(string path) => WriteText(path, ToCsv());

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> (UTF-8, folders created).</summary>
    public void WriteJson(string path) => WriteText(path, ToJson());

    private static void WriteText(string path, string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    private static string CsvField(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
