namespace Tcd.MLNet.Serialization;

/// <summary>The <c>manifest.json</c> of a Tcd model file.</summary>
/// <param name="Format">Always <see cref="TcdModelFile.FormatName"/>.</param>
/// <param name="FormatVersion">The file layout version; a reader refuses versions newer than its own.</param>
/// <param name="LibraryVersion">The Tcd.MLNet version that wrote the file.</param>
/// <param name="IsChain">True when the saved model was a transformer chain, false for a lone transformer.</param>
/// <param name="Parts">The transformers of the (flattened) chain in order; consecutive ML.NET transformers form one part.</param>
internal sealed record TcdModelManifest(string Format, int FormatVersion, string LibraryVersion, bool IsChain, IReadOnlyList<TcdModelPart> Parts);
