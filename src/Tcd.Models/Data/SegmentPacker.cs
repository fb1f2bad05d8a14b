namespace Tcd.Models.Data;

/// <summary>
/// Packs a stream of documents into contiguous masked-LM pre-training segments (no next-sentence prediction):
/// <c>[CLS] t t t ... [SEP]</c> of at most <see cref="MaxSequenceLength"/> tokens, special tokens included, all token type 0.
/// </summary>
/// <remarks>
/// <para>Tokens flow in corpus order: a document's paragraphs are tokenised and concatenated; a document longer
/// than the space left continues in the next segment; where one document ends and the next starts inside a
/// segment a <c>[SEP]</c> is placed between them (never as the first content token, and never directly before the
/// closing <c>[SEP]</c>: when only one slot is left the segment is closed one token short instead). Every segment
/// but the last is full, or one token short at such a document boundary; the last holds what remains.
/// Removing <c>[CLS]</c> and every <c>[SEP]</c> from the segments gives back exactly the tokenised corpus
/// (the encoder never produces <c>[CLS]</c> or <c>[SEP]</c> from text).</para>
/// <para>Packing is streaming (one segment is buffered) and deterministic: the same corpus gives the same segments.</para>
/// </remarks>
public sealed class SegmentPacker
{
    private readonly BertTextEncoder _encoder;

    /// <summary>Creates a packer.</summary>
    /// <param name="encoder">Tokeniser and special ids.</param>
    /// <param name="maxSequenceLength">Segment length including <c>[CLS]</c> and <c>[SEP]</c>; at least 3. Default 128 (BERT phase 1, TCD paper).</param>
    public SegmentPacker(BertTextEncoder encoder, int maxSequenceLength = 128)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        if (maxSequenceLength < 3)
        {
            throw new ArgumentOutOfRangeException(nameof(maxSequenceLength), maxSequenceLength,
                "maxSequenceLength must be at least 3: [CLS], one token and [SEP].");
        }

        _encoder = encoder;
        MaxSequenceLength = maxSequenceLength;
    }

    /// <summary>Maximum segment length, special tokens included.</summary>
    public int MaxSequenceLength { get; }

    /// <summary>Packs the documents of a corpus into segments, streaming.</summary>
    public IEnumerable<EncodedText> Pack(TextCorpus corpus, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        return Pack(corpus.ReadDocuments(cancellationToken), cancellationToken);
    }

    /// <summary>Packs documents (each a list of paragraphs) into segments, streaming.</summary>
    public IEnumerable<EncodedText> Pack(IEnumerable<IReadOnlyList<string>> documents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        return PackIterator(documents, cancellationToken);
    }

    private IEnumerable<EncodedText> PackIterator(IEnumerable<IReadOnlyList<string>> documents, CancellationToken cancellationToken)
    {
        var capacity = MaxSequenceLength - 2;
        var separator = _encoder.SpecialTokenIds.Sep;
        var body = new List<int>(capacity);
        foreach (var document in documents)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var documentStarted = false;
            foreach (var paragraph in document)
            {
                var tokens = _encoder.Tokenize(paragraph);
                var next = 0;
                while (next < tokens.Count)
                {
                    if (!documentStarted && body.Count > 0)
                    {
                        // A document separator needs a content token after it in the same segment.
                        if (body.Count + 1 >= capacity)
                        {
                            yield return ToSegment(body);
                            body.Clear();
                        }
                        else
                        {
                            body.Add(separator);
                        }
                    }

                    documentStarted = true;
                    var take = Math.Min(capacity - body.Count, tokens.Count - next);
                    body.AddRange(tokens.Skip(next).Take(take));
                    next += take;
                    if (body.Count == capacity)
                    {
                        yield return ToSegment(body);
                        body.Clear();
                    }
                }
            }
        }

        if (body.Count > 0)
        {
            yield return ToSegment(body);
        }
    }

    private EncodedText ToSegment(List<int> body)
    {
        var ids = new int[body.Count + 2];
        ids[0] = _encoder.SpecialTokenIds.Cls;
        body.CopyTo(ids, 1);
        ids[^1] = _encoder.SpecialTokenIds.Sep;
        return new EncodedText(ids, new int[ids.Length]);
    }
}
