using System.Globalization;
using System.Text.Json;

namespace Tcd.Reports;

/// <summary>
/// Reads a training metrics file written by the trainer's metrics log: JSON lines (one object of name → number per
/// line) or CSV with a header row. Every row needs a numeric <c>step</c>; other values that are null, empty or not
/// finite (NaN, ±Infinity) are skipped. When a step appears twice (a resumed run) the later row wins.
/// </summary>
public static class MetricsReader
{
    private const string StepColumn = "step";

    /// <summary>
    /// Reads a metrics file. The format is recognised from the content: a file whose first non-blank character is
    /// <c>{</c> is JSON lines, anything else is CSV. An unreadable last line without a line break is left out: it is
    /// the row a running trainer is writing (or one a killed trainer cut short).
    /// </summary>
    /// <param name="path">The <c>.jsonl</c> or <c>.csv</c> file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="MetricsFormatException">A line cannot be read; the message names the file and line.</exception>
    public static MetricsRun Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Metrics file '{path}' does not exist; pass the .jsonl or .csv file the trainer wrote.", path);
        }

        var text = File.ReadAllText(path);
        try
        {
            return Parse(text, path);
        }
        catch (MetricsFormatException error) when (!text.EndsWith('\n') && error.LineNumber == text.Count(c => c == '\n') + 1)
        {
            return Parse(text[..(text.LastIndexOf('\n') + 1)], path);
        }
    }

    private static MetricsRun Parse(string text, string path)
    {
        using var reader = new StringReader(text);
        return text.TrimStart().StartsWith('{') ? ReadJsonLines(reader, path) : ReadCsv(reader, path);
    }

    /// <summary>Reads JSON lines: one object per line mapping metric names to numbers (or null); blank lines are ignored.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="source">Name used in error messages and as <see cref="MetricsRun.Source"/>.</param>
    /// <exception cref="MetricsFormatException">A line is not a JSON object of numbers or has no numeric <c>step</c>.</exception>
    public static MetricsRun ReadJsonLines(TextReader reader, string source)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(source);
        var collector = new SeriesCollector(source);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException error)
            {
                throw new MetricsFormatException(source, lineNumber, $"not valid JSON ({error.Message}); each line must be one object such as {{\"step\":10,\"loss\":7.1}}.", error);
            }

            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new MetricsFormatException(source, lineNumber, $"expected a JSON object of name → number but found {document.RootElement.ValueKind}.");
                }

                var row = new List<KeyValuePair<string, double?>>();
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    row.Add(new(property.Name, JsonNumber(property, source, lineNumber)));
                }

                collector.Add(row, lineNumber);
            }
        }

        return collector.Build();
    }

    /// <summary>Reads CSV with a header row naming the columns (one of them <c>step</c>); empty cells are missing values.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="source">Name used in error messages and as <see cref="MetricsRun.Source"/>.</param>
    /// <exception cref="MetricsFormatException">The header has no <c>step</c> column, a row has the wrong number of fields, or a cell is not a number.</exception>
    public static MetricsRun ReadCsv(TextReader reader, string source)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(source);
        var collector = new SeriesCollector(source);
        string[]? header = null;
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = line.Split(',').Select(field => field.Trim()).ToArray();
            if (header is null)
            {
                header = ReadHeader(fields, source, lineNumber);
                continue;
            }

            if (fields.Length != header.Length)
            {
                throw new MetricsFormatException(source, lineNumber, $"has {fields.Length} fields but the header has {header.Length} ({string.Join(",", header)}).");
            }

            var row = new List<KeyValuePair<string, double?>>(fields.Length);
            for (var column = 0; column < fields.Length; column++)
            {
                row.Add(new(header[column], CsvNumber(fields[column], header[column], source, lineNumber)));
            }

            collector.Add(row, lineNumber);
        }

        return collector.Build();
    }

    private static string[] ReadHeader(string[] fields, string source, int lineNumber)
    {
        if (!fields.Contains(StepColumn, StringComparer.Ordinal))
        {
            throw new MetricsFormatException(source, lineNumber, $"the CSV header ({string.Join(",", fields)}) has no '{StepColumn}' column; the first line must name the columns, one of them '{StepColumn}'.");
        }

        var duplicate = fields.GroupBy(field => field, StringComparer.Ordinal).FirstOrDefault(group => group.Count() > 1);
        if (duplicate is not null || fields.Any(field => field.Length == 0))
        {
            throw new MetricsFormatException(source, lineNumber, $"the CSV header ({string.Join(",", fields)}) has {(duplicate is null ? "an empty column name" : $"the column '{duplicate.Key}' twice")}; column names must be unique and non-empty.");
        }

        return fields;
    }

    private static double? JsonNumber(JsonProperty property, string source, int lineNumber)
    {
        var value = property.Value;
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Number:
                return value.GetDouble();
            case JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed):
                // Serialisers that allow named floating-point literals write NaN and ±Infinity as strings.
                return parsed;
            default:
                throw new MetricsFormatException(source, lineNumber, $"'{property.Name}' is {value.GetRawText()}, not a number or null.");
        }
    }

    private static double? CsvNumber(string field, string column, string source, int lineNumber)
    {
        if (field.Length == 0)
        {
            return null;
        }

        return double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : throw new MetricsFormatException(source, lineNumber, $"column '{column}' holds '{field}', which is not a number (use '.' as the decimal point).");
    }

    /// <summary>Gathers rows into per-metric series keyed by step.</summary>
    private sealed class SeriesCollector(string source)
    {
        private readonly List<string> metricOrder = [];
        private readonly Dictionary<string, SortedDictionary<double, double>> pointsByMetric = new(StringComparer.Ordinal);

        public void Add(IReadOnlyList<KeyValuePair<string, double?>> row, int lineNumber)
        {
            var step = row.FirstOrDefault(cell => cell.Key == StepColumn).Value;
            if (step is not { } stepValue || !double.IsFinite(stepValue))
            {
                throw new MetricsFormatException(source, lineNumber, $"the row has no numeric '{StepColumn}'; every row needs one.");
            }

            foreach (var (metric, value) in row)
            {
                if (metric == StepColumn || value is not { } number || !double.IsFinite(number))
                {
                    continue;
                }

                if (!pointsByMetric.TryGetValue(metric, out var points))
                {
                    points = [];
                    pointsByMetric.Add(metric, points);
                    metricOrder.Add(metric);
                }

                points[stepValue] = number;
            }
        }

        public MetricsRun Build() =>
            new(source, metricOrder.Select(metric => new MetricsSeries(metric, pointsByMetric[metric].Keys.ToArray(), pointsByMetric[metric].Values.ToArray())));
    }
}
