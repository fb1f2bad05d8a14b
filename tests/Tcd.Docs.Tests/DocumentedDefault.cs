using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Tcd.Docs.Tests;

/// <summary>
/// The "Default ..." sentence of a member's XML documentation (a property's <c>summary</c>, <c>value</c> and
/// <c>remarks</c>, or a <c>param</c>) and, when the sentence opens with a literal, the value that literal names: a number (<c>2e-5</c>, <c>1,000</c>), a
/// list of numbers (<c>1, 2, 3</c>), <c>true</c>, <c>false</c>, <c>null</c>, <c>empty</c> (string or collection), a
/// quoted string, or a <c>&lt;see cref&gt;</c> to an enum member or a static field or property. Anything else
/// ("Default: the teacher's architecture") is prose, which no code can check.
/// </summary>
/// <param name="Sentence">The sentence as a reader sees it, references shown by their short names.</param>
/// <param name="IsLiteral">Whether the sentence opens with a literal; <paramref name="Value"/> is meaningless otherwise.</param>
/// <param name="Value">
/// The value the literal names: a double for a number, a double array for a list of numbers, else the bool, string,
/// enum member or static value itself.
/// </param>
internal sealed partial record DocumentedDefault(string Sentence, bool IsLiteral, object? Value)
{
    /// <summary>
    /// A float setting holds "0.1" as 0.100000001; any real drift (2e-5 to 3e-5, 0.06 to 0.1) is far larger.
    /// </summary>
    private const double RelativeTolerance = 1e-6;

    /// <summary>The value <c>Default empty</c> names: an empty string or an empty collection.</summary>
    private static readonly object Empty = new EmptyLiteral();

    /// <summary>The default stated by these parts of a member's XML documentation, read as one text; null when they state none.</summary>
    public static DocumentedDefault? Parse(params IEnumerable<XElement> parts)
    {
        var text = Whitespace().Replace(string.Join(' ', parts.Select(Flatten)), " ").Trim();
        var start = DefaultSentenceStart().Match(text);
        if (!start.Success)
        {
            return null;
        }

        var rest = text[(start.Index + start.Length)..];
        var sentence = Readable("Default" + rest[..SentenceLength(rest)]);
        return TryLiteral(rest.TrimStart(':').TrimStart(), out var value)
            ? new DocumentedDefault(sentence, IsLiteral: true, value)
            : new DocumentedDefault(sentence, IsLiteral: false, Value: null);
    }

    /// <summary>Whether <paramref name="actual"/> is the literal's value (numbers within a relative tolerance).</summary>
    public bool Matches(object? actual)
    {
        if (!IsLiteral)
        {
            throw new InvalidOperationException($"'{Sentence}' is prose: there is no value to compare.");
        }

        return Value switch
        {
            null => actual is null,
            double number => IsNear(number, actual),
            double[] numbers => actual is IEnumerable sequence and not string
                && sequence.Cast<object?>().ToList() is var items
                && items.Count == numbers.Length
                && numbers.Zip(items).All(pair => IsNear(pair.First, pair.Second)),
            EmptyLiteral => actual is string { Length: 0 } || (actual is IEnumerable sequence && !sequence.Cast<object?>().Any()),
            _ => Equals(Value, actual),
        };
    }

    /// <summary>A value as a failure message shows it: strings quoted, enum members with their type, lists in brackets.</summary>
    public static string Show(object? value) => value switch
    {
        null => "null",
        string text => $"\"{text}\"",
        bool flag => flag ? "true" : "false",
        Enum member => $"{member.GetType().Name}.{member}",
        IEnumerable sequence => $"[{string.Join(", ", sequence.Cast<object?>().Select(Show))}]",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? value.GetType().Name,
    };

    /// <summary>The documentation's text with each reference kept as <c>&lt;see cref="ID"/&gt;</c>, so a literal reference can be told from prose.</summary>
    private static string Flatten(XElement element) => string.Concat(element.Nodes().Select(node => node switch
    {
        XText text => text.Value,
        XElement { Name.LocalName: "see" or "seealso" } reference when reference.Attribute("cref") is { } cref => $"<see cref=\"{cref.Value}\"/>",
        XElement reference when reference.Attribute("langword") is { } word => word.Value,
        XElement { Name.LocalName: "paramref" or "typeparamref" } reference => reference.Attribute("name")?.Value ?? string.Empty,
        XElement inner => Flatten(inner),
        _ => string.Empty,
    }));

    /// <summary>The sentence with <c>&lt;see cref="F:Ns.Type.Member"/&gt;</c> shown as <c>Type.Member</c>.</summary>
    private static string Readable(string text) =>
        Reference().Replace(text, reference => string.Join('.', reference.Groups["id"].Value.Split('.').TakeLast(reference.Groups["kind"].Value == "T" ? 1 : 2)));

    /// <summary>Characters up to and including the full stop that ends the sentence (one followed by a capital or the end), or all of them.</summary>
    private static int SentenceLength(string text)
    {
        var end = SentenceEnd().Match(text);
        return end.Success ? end.Index + 1 : text.Length;
    }

    private static bool TryLiteral(string text, out object? value)
    {
        value = null;
        if (Reference().Match(text) is { Success: true, Index: 0 } reference)
        {
            if (reference.Groups["kind"].Value is not ("F" or "P"))
            {
                return false;
            }

            value = StaticValue(reference.Groups["id"].Value);
            return true;
        }

        if (QuotedString().Match(text) is { Success: true } quoted)
        {
            value = quoted.Groups["text"].Value;
            return true;
        }

        if (Keyword().Match(text) is { Success: true } keyword)
        {
            value = keyword.Value switch
            {
                "true" => true,
                "false" => false,
                "empty" => Empty,
                _ => null,
            };
            return true;
        }

        if (Numbers().Match(text) is { Success: true } numbers)
        {
            var parsed = numbers.Groups["number"].Captures.Select(number => double.Parse(number.Value.Replace(",", string.Empty), CultureInfo.InvariantCulture)).ToArray();
            value = parsed.Length == 1 ? parsed[0] : parsed;
            return true;
        }

        return false;
    }

    /// <summary>The value of the enum member, static field or static property a documentation ID such as <c>Ns.Type.Member</c> names.</summary>
    private static object? StaticValue(string id)
    {
        var typeName = id[..id.LastIndexOf('.')];
        var memberName = id[(id.LastIndexOf('.') + 1)..];
        var type = AppDomain.CurrentDomain.GetAssemblies().Select(assembly => assembly.GetType(typeName)).FirstOrDefault(found => found is not null)
            ?? throw new InvalidDataException($"The documented default <see cref=\"{id}\"/> names a type that no loaded assembly holds.");
        const BindingFlags staticMember = BindingFlags.Public | BindingFlags.Static;
        return type.GetField(memberName, staticMember) is { } field ? field.GetValue(null)
            : type.GetProperty(memberName, staticMember) is { } property ? property.GetValue(null)
            : throw new InvalidDataException($"The documented default <see cref=\"{id}\"/> is not a public static field or property.");
    }

    private static bool IsNear(double documented, object? actual) =>
        actual is sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal
        && Convert.ToDouble(actual, CultureInfo.InvariantCulture) is var value
        && Math.Abs(value - documented) <= RelativeTolerance * Math.Max(Math.Abs(value), Math.Abs(documented));

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    /// <summary>"Default" opening the text or a sentence (after a full stop, semicolon, question or exclamation mark).</summary>
    [GeneratedRegex(@"(?:^|(?<=[.;!?]\s))Default\b")]
    private static partial Regex DefaultSentenceStart();

    [GeneratedRegex(@"\.(?=\s+[A-Z<]|\s*$)")]
    private static partial Regex SentenceEnd();

    [GeneratedRegex("""<see cref="(?<kind>[A-Z]):(?<id>[^"]+)"/>""")]
    private static partial Regex Reference();

    [GeneratedRegex("""^"(?<text>[^"]*)"(?![\w"])""")]
    private static partial Regex QuotedString();

    [GeneratedRegex(@"^(?:true|false|null|empty)(?![\w%])")]
    private static partial Regex Keyword();

    /// <summary>
    /// One number or a list of them ("1, 2, 3"); a comma followed by three digits and no space is a thousands separator
    /// ("1,000"). A number run into a letter, a digit or a percent sign ("10% of the steps", "2k") is prose.
    /// </summary>
    [GeneratedRegex(@"^(?<number>-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?)(?:, (?<number>-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?))*(?![.,]?[\w%])")]
    private static partial Regex Numbers();

    private sealed class EmptyLiteral
    {
        public override string ToString() => "empty";
    }
}
