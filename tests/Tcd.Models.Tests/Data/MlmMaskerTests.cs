using Tcd.Models.Runtime;
using Tcd.Models.Data;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Data;

public sealed class MlmMaskerTests
{
    private static readonly BertTextEncoder Encoder = BertTextEncoder.CreateUncased();
    private static readonly SpecialTokenIds Special = Encoder.SpecialTokenIds;

    /// <summary>
    /// 2000 rows of 128 positions: [CLS] ordinary tokens (with some [UNK]/[MASK] sprinkled in) [SEP] then padding,
    /// row lengths 64..128, so about 2000 * 94 = 188k maskable tokens plus the specials.
    /// </summary>
    private static (long[] Ids, long[] Mask, int Rows, int Width) SyntheticBatch(int rows = 2000, int width = 128)
    {
        var random = new Random(1234);
        var ordinary = Encoder.OrdinaryTokenIds;
        var ids = new long[rows * width];
        var mask = new long[rows * width];
        for (var r = 0; r < rows; r++)
        {
            var length = random.Next(64, width + 1);
            for (var t = 0; t < width; t++)
            {
                var i = r * width + t;
                ids[i] = t == 0 ? Special.Cls
                    : t == length - 1 ? Special.Sep
                    : t >= length ? Special.Pad
                    : random.Next(50) == 0 ? (random.Next(2) == 0 ? Special.Unk : Special.Mask)
                    : ordinary[random.Next(ordinary.Count)];
                mask[i] = t < length ? 1 : 0;
            }
        }

        return (ids, mask, rows, width);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SelectsFifteenPercentAndSplitsThemEightyTenTen(bool seedPerRow)
    {
        var (idArray, maskArray, rows, width) = SyntheticBatch(rows: 2400);
        using var ids = tensor(idArray, [rows, width]);
        using var attention = tensor(maskArray, [rows, width]);
        var masker = new MlmMasker(Encoder);

        using var batch = new BertBatch(ids.alias(), zeros_like(ids), attention.alias(), null, attention.sum().item<long>());
        using var masked = seedPerRow
            ? masker.MaskRows(batch, Enumerable.Range(0, rows).Select(row => Seeds.Combine(42, 0, row)).ToList())
            : masker.Mask(batch, seed: 42);
        var maskedIds = masked.InputIds;
        var targets = masked.Labels!;

        var corrupted = maskedIds.data<long>().ToArray();
        var label = targets.data<long>().ToArray();
        var specials = Special.All.Select(id => (long)id).ToHashSet();
        long maskable = 0, selected = 0, toMask = 0, toRandom = 0, unchanged = 0;
        long changedButUnselected = 0, selectedButNotMaskable = 0, wrongLabel = 0, specialReplacement = 0;
        for (var i = 0; i < idArray.Length; i++)
        {
            var isMaskable = maskArray[i] == 1 && !specials.Contains(idArray[i]);
            maskable += isMaskable ? 1 : 0;
            if (label[i] == BertBatch.IgnoreIndex)
            {
                changedButUnselected += corrupted[i] != idArray[i] ? 1 : 0;
                continue;
            }

            selected++;
            selectedButNotMaskable += isMaskable ? 0 : 1;
            wrongLabel += label[i] != idArray[i] ? 1 : 0;
            if (corrupted[i] == Special.Mask)
            {
                toMask++;
            }
            else if (corrupted[i] == idArray[i])
            {
                unchanged++;
            }
            else
            {
                toRandom++;
                specialReplacement += specials.Contains(corrupted[i]) ? 1 : 0;
            }
        }

        changedButUnselected.Should().Be(0, "unselected tokens are never changed");
        selectedButNotMaskable.Should().Be(0, "special and padding tokens are never selected");
        wrongLabel.Should().Be(0, "labels hold the original id");
        specialReplacement.Should().Be(0, "random replacements are ordinary tokens");
        maskable.Should().BeGreaterThan(200_000);
        ((double)selected / maskable).Should().BeApproximately(0.15, 0.01);
        ((double)toMask / selected).Should().BeApproximately(0.8, 0.01);
        ((double)toRandom / selected).Should().BeApproximately(0.1, 0.01);
        ((double)unchanged / selected).Should().BeApproximately(0.1, 0.01);
    }

    [Fact]
    public void SameSeedGivesIdenticalMasksAndEachEpochAFreshOne()
    {
        var (idArray, maskArray, rows, width) = SyntheticBatch(rows: 64);
        using var ids = tensor(idArray, [rows, width]);
        using var attention = tensor(maskArray, [rows, width]);
        var masker = new MlmMasker(Encoder);

        long[] Labels(long seed)
        {
            var (masked, labels) = masker.Mask(ids, attention, seed);
            using (masked)
            using (labels)
            {
                return labels.data<long>().ToArray();
            }
        }

        var first = Labels(Seeds.Combine(7, 0, 3));
        Labels(Seeds.Combine(7, 0, 3)).Should().Equal(first);
        Labels(Seeds.Combine(7, 1, 3)).Should().NotEqual(first);
        Labels(Seeds.Combine(7, 0, 4)).Should().NotEqual(first);
        Labels(Seeds.Combine(8, 0, 3)).Should().NotEqual(first);
    }

    [Fact]
    public void A_row_masked_with_its_own_seed_gets_the_same_targets_in_any_batch()
    {
        var sentences = new[] { "the quick brown fox jumps over the lazy dog", "a much longer sentence that pads the other rows of its batch to a wider tensor than they need", "hi there" };
        var encoded = sentences.Select(sentence => Encoder.Encode(sentence)).ToList();
        var collator = new BatchCollator(Special);
        var masker = new MlmMasker(Encoder, new MlmMaskingOptions { Probability = 0.5 });

        (long[] Ids, long[] Labels) MaskedRow(IReadOnlyList<EncodedText> rows, IReadOnlyList<long> seeds, int row)
        {
            using var scope = NewDisposeScope();
            var masked = masker.MaskRows(collator.Collate(rows, CPU), seeds);
            var length = rows[row].InputIds.Length;
            return (masked.InputIds[row].data<long>().Take(length).ToArray(), masked.Labels![row].data<long>().Take(length).ToArray());
        }

        var alone = MaskedRow([encoded[0]], [11], 0);
        alone.Labels.Count(label => label != BertBatch.IgnoreIndex).Should().BeGreaterThan(1);
        var first = MaskedRow(encoded, [11, 12, 13], 0);
        var last = MaskedRow([encoded[2], encoded[1], encoded[0]], [13, 12, 11], 2);
        first.Ids.Should().Equal(alone.Ids, "padding to a longer row changes no draw of a row");
        first.Labels.Should().Equal(alone.Labels);
        last.Ids.Should().Equal(alone.Ids, "a row's place in its batch changes nothing either");
        last.Labels.Should().Equal(alone.Labels);
        MaskedRow([encoded[0]], [14], 0).Labels.Should().NotEqual(alone.Labels, "another seed draws another mask");

        using var batchOfThree = collator.Collate(encoded, CPU);
        var act = () => masker.MaskRows(batchOfThree, [1, 2]);
        act.Should().Throw<ArgumentException>().WithMessage("*2 seeds for a batch of 3 rows*");
    }

    [Fact]
    public void EveryRowWithAMaskableTokenGetsATarget()
    {
        // 300 rows "[CLS] x [SEP]": a 15% draw alone would leave ~85% of them without a target.
        var rows = Enumerable.Range(0, 300).Select(_ => Encoder.Encode("hello")).ToList();
        rows.Add(Encoder.Encode(""));
        using var batch = new BatchCollator(Special).Collate(rows, CPU);
        var masker = new MlmMasker(Encoder);

        using var masked = masker.Mask(batch, seed: 5);

        var labels = masked.Labels!;
        using var targetsPerRow = labels.ne(BertBatch.IgnoreIndex).sum(dim: 1);
        var counts = targetsPerRow.data<long>().ToArray();
        counts.Take(300).Should().OnlyContain(count => count == 1);
        counts[300].Should().Be(0, "a row of special tokens only has nothing to predict");
        labels.data<long>().ToArray().Where(label => label != BertBatch.IgnoreIndex).Should().OnlyContain(label => label == 7592);
    }

    [Fact]
    public void MaskingABatchReturnsAnIndependentBatchWithLabels()
    {
        using var batch = new BatchCollator(Special).Collate(new[] { Encoder.Encode("the quick brown fox jumps over the lazy dog") }, CPU);
        var originalIds = batch.InputIds.data<long>().ToArray();
        var masker = new MlmMasker(Encoder, new MlmMaskingOptions { Probability = 1.0, MaskTokenFraction = 1.0, RandomTokenFraction = 0 });

        var masked = masker.Mask(batch, seed: 1);
        masked.Labels.Should().NotBeNull();
        masked.InputIds.data<long>().ToArray().Should().Equal(101, 103, 103, 103, 103, 103, 103, 103, 103, 103, 102);
        masked.Labels!.data<long>().ToArray().Should().Equal(new long[] { -100 }.Concat(originalIds[1..^1]).Append(-100));
        masked.TokenCount.Should().Be(batch.TokenCount);
        masked.Dispose();

        batch.InputIds.data<long>().ToArray().Should().Equal(originalIds, "the input batch is left unchanged and alive");
        batch.AttentionMask.sum().item<long>().Should().Be(11);
    }

    [Fact]
    public void InvalidOptionsAreRejectedNamingTheSetting()
    {
        FluentActions.Invoking(() => new MlmMasker(Encoder, new MlmMaskingOptions { Probability = 0 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Probability*");
        FluentActions.Invoking(() => new MlmMasker(Encoder, new MlmMaskingOptions { MaskTokenFraction = 0.95, RandomTokenFraction = 0.1 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*RandomTokenFraction*");
    }
}
