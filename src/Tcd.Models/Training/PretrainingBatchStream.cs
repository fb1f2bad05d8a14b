using Tcd.Models.Runtime;
using Tcd.Models.Data;

namespace Tcd.Models.Training;

/// <summary>
/// An endless, deterministic stream of pre-training batches: each epoch streams the corpus's segments through a
/// seeded shuffle buffer (so corpora larger than memory work) and cuts them into batches; the last batch of an epoch
/// may be smaller. Starting at a <see cref="PretrainingDataPosition"/> replays the same order and skips the batches
/// already seen, which is what makes a resumed run continue exactly.
/// </summary>
internal sealed class PretrainingBatchStream
{
    private const long ShuffleStream = -2;

    private readonly Func<CancellationToken, IEnumerable<EncodedText>> segments;
    private readonly int batchSize;
    private readonly int shuffleBufferSize;
    private readonly long seed;

    public PretrainingBatchStream(Func<CancellationToken, IEnumerable<EncodedText>> segments, int batchSize, int shuffleBufferSize, long seed)
    {
        this.segments = segments;
        this.batchSize = batchSize;
        this.shuffleBufferSize = shuffleBufferSize;
        this.seed = seed;
    }

    public IEnumerable<(PretrainingDataPosition Position, IReadOnlyList<EncodedText> Rows)> Read(PretrainingDataPosition start, CancellationToken cancellationToken)
    {
        for (var epoch = start.Epoch; ; epoch++)
        {
            long batchIndex = 0;
            foreach (var batch in Shuffle(segments(cancellationToken), new Random(unchecked((int)Seeds.Combine(seed, ShuffleStream, epoch)))).Chunk(batchSize))
            {
                if (epoch > start.Epoch || batchIndex >= start.BatchInEpoch)
                {
                    yield return (new PretrainingDataPosition(epoch, batchIndex), batch);
                }

                batchIndex++;
            }

            if (batchIndex == 0)
            {
                throw new InvalidDataException("The pre-training corpus produced no segments: it contains no text.");
            }
        }
    }

    private IEnumerable<EncodedText> Shuffle(IEnumerable<EncodedText> source, Random random)
    {
        var buffer = new List<EncodedText>(Math.Min(shuffleBufferSize, 65_536));
        foreach (var item in source)
        {
            if (buffer.Count < shuffleBufferSize)
            {
                buffer.Add(item);
                continue;
            }

            var slot = random.Next(buffer.Count);
            yield return buffer[slot];
            buffer[slot] = item;
        }

        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(buffer));
        foreach (var item in buffer)
        {
            yield return item;
        }
    }
}
