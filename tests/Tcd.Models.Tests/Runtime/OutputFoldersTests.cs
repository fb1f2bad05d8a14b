using Tcd.Models.Runtime;

namespace Tcd.Models.Tests.Runtime;

public sealed class OutputFoldersTests : IDisposable
{
    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("tcd-folders-");

    public void Dispose() => root.Delete(recursive: true);

    [Fact]
    public void Missing_parents_are_created_and_an_existing_folder_is_fine()
    {
        var folder = Path.Combine(root.FullName, "a", "b", "c");

        OutputFolders.Create(folder, "model folder");
        OutputFolders.Create(folder, "model folder");

        Directory.Exists(folder).Should().BeTrue();
    }

    [Fact]
    public void A_file_in_the_way_is_named_whether_it_is_the_folder_or_a_parent()
    {
        var file = Path.Combine(root.FullName, "notes.txt");
        File.WriteAllText(file, "x");

        var asFolder = () => OutputFolders.Create(file, "checkpoint folder");
        var asParent = () => OutputFolders.Create(Path.Combine(file, "run", "checkpoints"), "checkpoint folder");

        asFolder.Should().Throw<IOException>().WithMessage($"The checkpoint folder '{file}' is a file; give a folder (it is created if missing).");
        asParent.Should().Throw<IOException>().WithMessage($"Cannot create the checkpoint folder '{Path.Combine(file, "run", "checkpoints")}': '{file}' is a file, not a folder.");
    }
}
