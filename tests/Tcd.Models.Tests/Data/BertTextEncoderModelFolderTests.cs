using Tcd.Models.Data;

namespace Tcd.Models.Tests.Data;

public class BertTextEncoderModelFolderTests
{
    [Fact]
    public void ModelFolderWithItsOwnVocabulary_UsesIt()
    {
        using var files = new TempFiles();
        var vocabulary = files.Write(BertTextEncoder.VocabularyFileName, "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nworld\n");

        var encoder = BertTextEncoder.ForModelFolder(Path.GetDirectoryName(vocabulary)!);

        encoder.VocabularySize.Should().Be(7);
        encoder.Encode("hello world").InputIds.Should().Equal(2, 5, 6, 3);
    }

    [Fact]
    public void ModelFolderWithoutVocabulary_UsesTheEmbeddedUncasedOne()
    {
        using var files = new TempFiles();
        var folder = Path.GetDirectoryName(files.Write("config.json", "{}"))!;

        BertTextEncoder.ForModelFolder(folder).Encode("hello world").InputIds.Should().Equal(101, 7592, 2088, 102);
    }
}
