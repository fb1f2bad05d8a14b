using System.Globalization;

namespace Tcd.Xpert;

/// <summary>
/// The generated "math" domain: arithmetic and elementary algebra statements, in words and in symbols.
/// Deterministic for a given seed, so every run analyses the same text.
/// </summary>
internal static class MathCorpus
{
    private static readonly string[] Words =
    [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
    ];

    /// <summary><paramref name="count"/> short documents of a few statements each.</summary>
    public static IReadOnlyList<string> Generate(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(_ => string.Join(' ', Enumerable.Range(0, 4).Select(_ => Statement(random))))
            .ToList();
    }

    private static string Statement(Random random)
    {
        int a = random.Next(1, 11), b = random.Next(1, 11), x = random.Next(1, 13);
        return random.Next(8) switch
        {
            0 => $"{Words[a]} plus {Words[b]} equals {Words[a + b]}.",
            1 => Invariant($"{a + b} - {b} = {a}."),
            2 => Invariant($"{a} × {b} = {a * b}, so {a * b} ÷ {b} = {a}."),
            3 => Invariant($"solve {a}x + {b} = {a * x + b}: subtract {b} from both sides and divide by {a}, so x = {x}."),
            4 => Invariant($"the square of {a} is {a * a} and the square root of {a * a} is {a}."),
            5 => Invariant($"if y = {a}x - {b} then for x = {x} we get y = {a * x - b}."),
            6 => Invariant($"the fraction {a}/{a * b} simplifies to 1/{b}, and {a}/{b} + {b}/{b} = {a + b}/{b}."),
            _ => Invariant($"the sum of the first {a} natural numbers is {a * (a + 1) / 2}, because n(n + 1)/2 with n = {a} gives {a * (a + 1) / 2}."),
        };
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
