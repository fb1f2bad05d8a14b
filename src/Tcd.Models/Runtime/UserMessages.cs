using System.Globalization;
using System.Text.RegularExpressions;

namespace Tcd.Models.Runtime;

/// <summary>Turns exceptions the libraries throw for bad input into one line a person reads, for programs that print them.</summary>
public static class UserMessages
{
    /// <summary>
    /// An exception's message for a user: without the <c>(Parameter '…')</c> .NET appends to argument errors, and with
    /// .NET's range wording in plain words ("('0') must be a non-negative and non-zero value" → "('0') must be more than 0").
    /// </summary>
    public static string Readable(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Regex.Replace(
            exception.Message.Split(" (Parameter", 2)[0]
                .Replace("must be a non-negative and non-zero value", "must be more than 0", StringComparison.Ordinal)
                .Replace("must be a non-negative value", "must be 0 or more", StringComparison.Ordinal),
            "must be greater than or equal to '([^']*)'",
            "must be at least $1");
    }

    /// <summary>
    /// What a JSON reader found wrong, located for a person: <c>line 3, column 5: '"' is invalid after a value...</c>,
    /// where System.Text.Json's own message ends in <c>LineNumber: 2 | BytePositionInLine: 4.</c>, counted from 0. The
    /// property it was reading, if any, is named too: <c>line 1, column 20 (at $.hidden_size): The JSON value could
    /// not be converted to System.Int32.</c>
    /// </summary>
    public static string JsonProblem(System.Text.Json.JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var property = exception.Path is { Length: > 1 } path ? $" (at {path})" : string.Empty;
        return exception.LineNumber is { } line
            ? string.Create(CultureInfo.InvariantCulture, $"line {line + 1}, column {exception.BytePositionInLine.GetValueOrDefault() + 1}{property}: {ProblemOf(exception)}")
            : ProblemOf(exception) + property;
    }

    /// <summary>
    /// The line that names a record a program cannot read and what it does instead, which is to make it again:
    /// <c>runs/a/result.json is unreadable (line 1, column 1: 'x' is an invalid start of a value.); the run is taken as unfinished.</c>
    /// A record ignored without a word would leave the user wondering why finished work is done again.
    /// </summary>
    /// <param name="path">The record file.</param>
    /// <param name="problem">Why it cannot be read; a JSON error is located as <see cref="JsonProblem"/> locates it.</param>
    /// <param name="consequence">What is done instead, e.g. "the cell is trained again".</param>
    public static string UnreadableRecord(string path, Exception problem, string consequence)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var why = problem is System.Text.Json.JsonException json ? JsonProblem(json) : Readable(problem);
        return $"{path} is unreadable ({why}); {consequence}.";
    }

    /// <summary>
    /// Like <see cref="JsonProblem"/>, without the line and column, for JSON a program rewrote from a file before reading
    /// it, whose positions are not the file's: <c>$.hidden_size: The JSON value could not be converted to System.Int32.</c>
    /// </summary>
    public static string JsonValueProblem(System.Text.Json.JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Path is { Length: > 1 } path ? $"{path}: {ProblemOf(exception)}" : ProblemOf(exception);
    }

    /// <summary>A JSON exception's message without the <c>Path: … | LineNumber: … | BytePositionInLine: ….</c> System.Text.Json ends it with.</summary>
    private static string ProblemOf(System.Text.Json.JsonException exception)
    {
        var message = exception.Message;
        var locationStart = new[] { " Path: ", " LineNumber: " }
            .Select(marker => message.IndexOf(marker, StringComparison.Ordinal))
            .Where(index => index >= 0)
            .DefaultIfEmpty(message.Length)
            .Min();
        return message[..locationStart];
    }

    /// <summary><paramref name="count"/> with <paramref name="noun"/> in the singular or plural: "1 step", "3 steps", "0 steps".</summary>
    /// <param name="count">How many.</param>
    /// <param name="noun">The singular noun, or a phrase ending in one ("training example"); its plural adds an "s".</param>
    public static string Count(long count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? string.Empty : "s")}");
}
