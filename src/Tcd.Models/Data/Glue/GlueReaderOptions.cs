namespace Tcd.Models.Data.Glue;

/// <summary>Options of <see cref="GlueReader"/>.</summary>
public sealed class GlueReaderOptions
{
    /// <summary>
    /// What to do with a malformed row. Default <see cref="GlueMalformedRowHandling.Fail"/>: the official files
    /// have none, so one usually means a wrong file or a broken re-export.
    /// </summary>
    public GlueMalformedRowHandling OnMalformedRow { get; init; } = GlueMalformedRowHandling.Fail;

    /// <summary>
    /// Whether to trim surrounding whitespace from the sentences (SST-2 ends every sentence with a space; STS-B and
    /// RTE have stray leading spaces). Inner whitespace is kept. Default true.
    /// </summary>
    public bool TrimWhitespace { get; init; } = true;
}
