namespace Tcd.Reports;

/// <summary>A metrics file has a line that cannot be read; names the file and the 1-based line number.</summary>
public sealed class MetricsFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="filePath">The file (or label) that was read.</param>
    /// <param name="lineNumber">1-based line number of the bad line.</param>
    /// <param name="problem">What is wrong and how to fix it.</param>
    /// <param name="innerException">The parser's own error, if any.</param>
    public MetricsFormatException(string filePath, int lineNumber, string problem, Exception? innerException = null)
        : base($"{filePath}, line {lineNumber}: {problem}", innerException)
    {
        FilePath = filePath;
        LineNumber = lineNumber;
    }

    /// <summary>The file (or label) that was read.</summary>
    public string FilePath { get; }

    /// <summary>1-based line number of the bad line.</summary>
    public int LineNumber { get; }
}
